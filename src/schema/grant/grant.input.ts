import { IsUUID, Length, Matches } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';

// Registered so the two inputs below inherit its fields; never emitted, as no argument uses it.
@InputType('ShareInputFields')
abstract class ShareInput {
  @Field(() => String, { nullable: true, description: 'Organization to share with (TLP:AMBER, AMBER+STRICT); with `person`, the person\'s organization (TLP:RED).' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'organizationId must be an organization id such as sc-1267' })
  organizationId?: string | null;

  @Field(() => String, { nullable: true, description: 'Person (token `sub`) to share with (TLP:RED), together with `organizationId`: a `sub` names a person only within its organization.' })
  @Length(1, 200, { message: 'person must be 1 to 200 characters' })
  person?: string | null;

  @Field(() => String, { description: 'Why it is shared (need to know), 3 to 500 characters.' })
  @Length(3, 500, { message: 'purpose must be 3 to 500 characters' })
  purpose!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the grant stops giving access; must be in the future.' })
  expiresAt?: Date | null;
}

@InputType({ description: 'Share a report with an organization or a person.' })
export class ShareReportInput extends ShareInput {
  @Field(() => UuidScalar, { description: 'The report to share.' })
  @IsUUID('all', { message: 'reportId must be a UUID' })
  reportId!: string;
}

@InputType({ description: 'Share an observation with an organization or a person.' })
export class ShareObservationInput extends ShareInput {
  @Field(() => UuidScalar, { description: 'The observation (revision) to share.' })
  @IsUUID('all', { message: 'observationId must be a UUID' })
  observationId!: string;
}
