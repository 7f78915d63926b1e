import { Field, ObjectType } from 'type-graphql';
import { OrganizationKind } from '../common/enums.js';

@ObjectType({ simpleResolvers: true, description: 'Who is asking: the caller as the API sees it, and what its profile may never read.' })
export class Viewer {
  @Field(() => Boolean, { description: 'False for a call without a token (anonymous: TLP:CLEAR data only).' })
  authenticated!: boolean;

  @Field(() => String, { nullable: true, description: 'The person or system (token `sub`).' })
  sub!: string | null;

  @Field(() => String, { nullable: true, description: "The caller's organization id." })
  organizationId!: string | null;

  @Field(() => OrganizationKind, { nullable: true, description: "The organization's kind, from the network's records." })
  organizationKind!: OrganizationKind | null;

  @Field(() => [String], { description: 'Roles the token carries.' })
  roles!: string[];

  @Field(() => [String], {
    description: 'Fields (`Type.field`) this profile can never read: they come back null with a FORBIDDEN error.',
  })
  deniedFields!: string[];

  @Field(() => [String], {
    description: "Fields this profile reads only on some records (e.g. its own organization's): elsewhere they are null with FORBIDDEN.",
  })
  conditionalFields!: string[];
}
