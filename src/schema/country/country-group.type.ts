import { Field, ObjectType } from 'type-graphql';
import type { Localized } from '../common/localized.js';

@ObjectType({ simpleResolvers: true, description: 'A role countries share that an indicator can be declared for, e.g. the states bordering Afghanistan.' })
export class CountryGroup {
  @Field(() => String, { description: 'Stable code (e.g. `AFGHANISTAN_NEIGHBOURS`).' })
  code!: string;

  /** Resolved by CountryGroupResolver in the language asked for. */
  names!: Localized;
  /** ISO alpha-3 codes of its members, sorted; resolved by CountryGroupResolver.countries. */
  memberCodes!: string[];
}
