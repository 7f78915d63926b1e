import { Matches, MaxLength, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { OrganizationKind } from '../common/enums.js';
import { PageArgs } from '../common/page.args.js';

@InputType({ description: 'Conditions an organization must meet; all given ones apply.' })
export class OrganizationFilter {
  @Field(() => [OrganizationKind], { nullable: true, description: 'Any of these kinds.' })
  kinds?: OrganizationKind[] | null;

  @Field(() => String, { nullable: true, description: 'National bodies of this country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only active (true) or only former (false) members.' })
  active?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Part of the acronym or of the name, in either language.' })
  @MaxLength(100, { message: 'search must be at most 100 characters' })
  search?: string | null;
}

@ArgsType()
export class OrganizationsArgs extends PageArgs {
  @Field(() => OrganizationFilter, { nullable: true, description: 'Conditions on the organizations listed.' })
  @ValidateNested()
  filter?: OrganizationFilter | null;
}
