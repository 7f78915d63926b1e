import { ArgsType, Field, Int, ObjectType } from 'type-graphql';
import { Max, Min } from 'class-validator';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true, description: "An entry of a peer's change feed this instance could not apply (issue 17): kept whole with the reason, while the feed went on." })
export class SyncDeadLetter {
  @Field(() => UuidScalar, { description: 'Id of the dead letter.' })
  id!: string;

  @Field(() => String, { description: 'The peer instance the entry came from.' })
  peer!: string;

  @Field(() => String, { description: 'Why it could not be applied (an unknown organization, country or indicator; an id one of our records holds; …).' })
  reason!: string;

  @Field(() => String, { description: 'The entry as the peer sent it (JSON).' })
  entry!: string;

  @Field(() => String, { nullable: true, description: 'The cursor of the page it came in: pull again from there once the cause is fixed.' })
  pageAfter!: string | null;

  @Field(() => DateTimeScalar, { description: 'When it arrived.' })
  receivedAt!: Date;
}

@ObjectType({ simpleResolvers: true, description: "Where this instance's pull client stands with a peer (issue 17): its cursor and its back-off." })
export class PeerPullState {
  @Field(() => String, { nullable: true, description: "The cursor of the last page applied (the peer's own, opaque); null: from the start." })
  cursor!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When a page was last applied.' })
  lastSuccessAt!: Date | null;

  @Field(() => Int, { description: 'Failed passes in a row (0 after a success).' })
  consecutiveFailures!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: 'No periodic pass before this instant (the back-off).' })
  nextAttemptAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the last pass failed.' })
  lastError!: string | null;
}

@ArgsType()
export class SyncDeadLettersArgs {
  @Field(() => String, { nullable: true, description: 'Only the dead letters of this peer.' })
  peer?: string | null;

  @Field(() => Int, { defaultValue: 50, description: 'How many, newest first (1 to 500).' })
  @Min(1)
  @Max(500)
  first!: number;
}
