import { IsIn, IsUUID, Matches, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../common/page.args.js';
import { DateTimeScalar } from '../common/scalars.js';

@InputType({ description: 'Conditions on access-log entries; all given ones apply.' })
export class AuditEventFilter {
  @Field(() => String, { nullable: true, description: "Entries of callers from this organization (its id)." })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'actorOrganization must be an organization id' })
  actorOrganization?: string | null;

  @Field(() => String, { nullable: true, description: 'READ, DENIED or WRITE.' })
  @IsIn(['READ', 'DENIED', 'WRITE'], { message: 'kind must be READ, DENIED or WRITE' })
  kind?: string | null;

  @Field(() => String, { nullable: true, description: 'Entries that touched this report.' })
  @IsUUID('all', { message: 'reportId must be a UUID' })
  reportId?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'At or after this instant.' })
  since?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Before this instant.' })
  until?: Date | null;
}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => AuditEventFilter, { nullable: true, description: 'Conditions on the entries listed.' })
  @ValidateNested()
  filter?: AuditEventFilter | null;
}
