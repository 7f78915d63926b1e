import { Directive, Field, ObjectType } from 'type-graphql';
import { CountryRole } from '../common/enums.js';
import type { Localized } from '../common/localized.js';

@ObjectType({ simpleResolvers: true, description: 'A country the network follows: the five Central Asian member states and Afghanistan.' })
@Directive('@key(fields: "iso3")')
export class Country {
  @Field(() => String, { description: 'ISO 3166-1 alpha-3 code, the key (e.g. `TJK`).' })
  iso3!: string;

  // Reference data other subgraphs may hold too.
  @Directive('@shareable')
  @Field(() => String, { description: 'ISO 3166-1 alpha-2 code (e.g. `TJ`).' })
  iso2!: string;

  @Field(() => CountryRole, { description: "The country's role in the network." })
  role!: CountryRole;

  /** Resolved by CountryResolver.name in the language asked for. */
  names!: Localized;
}
