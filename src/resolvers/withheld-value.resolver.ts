import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { Indicator } from '../schema/indicator/indicator.type.js';
import { WithheldValue } from '../schema/observation/observation.type.js';

@Resolver(() => WithheldValue)
export class WithheldValueResolver {
  @FieldResolver(() => Indicator, { nullable: true, description: 'The indicator.' })
  async indicator(@Root() value: WithheldValue, @Ctx() ctx: Context) {
    const row = await ctx.loaders.indicator.load(value.indicatorCode);
    return row && toIndicator(row);
  }

  @FieldResolver(() => Country, { nullable: true, description: 'The country.' })
  async country(@Root() value: WithheldValue, @Ctx() ctx: Context) {
    const row = await ctx.loaders.country.load(value.countryIso3);
    return row && toCountry(row);
  }
}
