import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({
  simpleResolvers: true,
  description:
    'An entry of the access log: a request that returned non-CLEAR records or restricted fields, or was refused them, or a write. Append-only.',
})
export class AuditEvent {
  @Field(() => String, { description: 'Entry id (increasing).' })
  id!: string;

  @Field(() => DateTimeScalar, { description: 'When it happened.' })
  occurredAt!: Date;

  @Field(() => String, { description: 'READ (restricted data returned), DENIED (only refusals) or WRITE (a change).' })
  kind!: string;

  @Field(() => String, { nullable: true, description: 'Who (token `sub`); null for an anonymous caller.' })
  actorSub!: string | null;

  @Field(() => String, { nullable: true, description: "The caller's organization id; null for an anonymous caller." })
  actorOrganizationId!: string | null;

  @Field(() => String, { nullable: true, description: 'GraphQL operation name, if the client gave one.' })
  operationName!: string | null;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the GraphQL document (for reads).' })
  documentHash!: string | null;

  @Field(() => String, { nullable: true, description: 'The mutation, for writes (e.g. `shareReport`).' })
  action!: string | null;

  @Field(() => String, { nullable: true, description: 'Why, for writes that state it: the `releaseReason` of a lowered marking, the reason of a retraction.' })
  reason!: string | null;

  @Field(() => [String], { description: 'Ids of the non-CLEAR reports returned or changed.' })
  reportIds!: string[];

  @Field(() => [String], { description: 'Ids of the non-CLEAR observations returned or changed.' })
  observationIds!: string[];

  @Field(() => [String], { description: 'Ids of the grants created or revoked.' })
  grantIds!: string[];

  @Field(() => [String], { description: "Ids of the alerts whose triage a write changed (the writer's organization's triage; its notes are not in the log)." })
  alertIds!: string[];

  @Field(() => [String], { description: 'Restricted fields returned (`Type.field`).' })
  fields!: string[];

  @Field(() => [String], { description: 'Fields refused (`Type.field`).' })
  deniedFields!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'A page of access-log entries, newest first.' })
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}
