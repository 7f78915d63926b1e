import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true, description: 'A record shared with a named organization (TLP:AMBER, AMBER+STRICT) or person (TLP:RED).' })
export class Grant {
  @Field(() => UuidScalar, { description: 'Grant id; pass it to `revokeShare`.' })
  id!: string;

  @Field(() => UuidScalar, { nullable: true, description: 'The report shared, if a report.' })
  reportId!: string | null;

  @Field(() => UuidScalar, { nullable: true, description: 'The observation shared, if an observation.' })
  observationId!: string | null;

  @Field(() => String, { nullable: true, description: 'Id of the organization it is shared with (TLP:AMBER, AMBER+STRICT), or of the person\'s organization (TLP:RED).' })
  organizationId!: string | null;

  @Field(() => String, { nullable: true, description: 'The person (token `sub`, within `organizationId`) it is shared with (TLP:RED).' })
  person!: string | null;

  @Field(() => String, { description: 'Why it is shared (need to know).' })
  purpose!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the grant stops giving access; null: until revoked.' })
  expiresAt!: Date | null;

  @Field(() => String, { description: 'Who granted it (token `sub`).' })
  grantedBy!: string;

  @Field(() => String, { description: 'Organization that granted it (the originator).' })
  grantedByOrganizationId!: string;

  @Field(() => DateTimeScalar, { description: 'When it was granted.' })
  grantedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was revoked, if it was.' })
  revokedAt!: Date | null;

  @Field(() => Boolean, { description: 'True while the grant gives access: not revoked and not expired.' })
  active!: boolean;
}
