import { Directive, Field, ObjectType } from 'type-graphql';
import { OrganizationKind } from '../common/enums.js';
import type { Localized } from '../common/localized.js';
import { Connection } from '../common/connection.js';
import { EmailScalar } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true, description: "A focal point: a person to contact in an organization (personal data)." })
export class FocalPoint {
  @Field(() => String, { description: 'Full name.' })
  name!: string;

  @Field(() => EmailScalar, { nullable: true, description: 'E-mail address.' })
  email!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A partner organization of the network: UN entity, sanctions body, regional body, agency, NGO, expert group or donor.' })
@Directive('@key(fields: "id")')
export class Organization {
  @Field(() => String, { description: 'Stable id, a slug such as `unodc` or `sc-1267`.' })
  id!: string;

  @Field(() => String, { description: 'Acronym or short name (e.g. `SCO RATS`).' })
  acronym!: string;

  @Field(() => OrganizationKind, { description: 'What kind of body it is; the sharing policy grants some fields by kind.' })
  kind!: OrganizationKind;

  @Field(() => Boolean, { description: 'False once the organization has left the network; its tokens are refused.' })
  active!: boolean;

  @Field(() => FocalPoint, {
    nullable: true,
    description: 'The focal point to contact. Personal data: authenticated members of the network only.',
  })
  focalPoint!: FocalPoint | null;

  names!: Localized;
  countryIso3!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'A page of organizations.' })
export class OrganizationConnection extends Connection(Organization, 'Organization') {}
