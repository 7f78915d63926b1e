import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { pick } from '../schema/common/localized.js';
import { CountryGroup } from '../schema/country/country-group.type.js';
import { toCountries } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';

@Resolver(() => CountryGroup)
export class CountryGroupResolver {
  @FieldResolver(() => String, { description: 'Name in the language asked for (e.g. "states bordering Afghanistan").' })
  name(@Root() group: CountryGroup, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(group.names, lang ?? ctx.lang);
  }

  @FieldResolver(() => [Country], { description: 'Its member countries, by ISO code.' })
  async countries(@Root() group: CountryGroup, @Ctx() ctx: Context): Promise<Country[]> {
    return toCountries(await ctx.loaders.country.loadMany(group.memberCodes));
  }
}
