import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { overviewOf } from '../db/queries/overview.js';
import { badInput } from '../errors.js';
import { Topic } from '../schema/common/enums.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { OverviewArgs } from '../schema/overview/overview.args.js';
import { toOverview } from '../schema/overview/overview.mapper.js';
import { Overview } from '../schema/overview/overview.type.js';

@Resolver(() => Overview)
export class OverviewResolver {
  @Query(() => Overview, {
    description:
      'What an analyst opens first, for a country or (without `country`) the region: current levels per source with their changes, open alerts by level, newest reports per topic; under your access rules, in a fixed number of statements.',
  })
  async overview(@Args(() => OverviewArgs) { country, reportsPerTopic }: OverviewArgs, @Ctx() ctx: Context) {
    const reference = await ctx.loaders.reference();
    if (country && !reference.countryByIso3.has(country)) throw badInput(`Unknown country code "${country}"`, 'country');
    const countries = country ? [country] : reference.countries.map((c) => c.iso3);
    const rows = await overviewOf(ctx.db, ctx.viewer, {
      countries,
      reportCountry: country ?? null,
      topics: Object.values(Topic),
      reportsPerTopic,
      indicators: reference.indicatorByCode,
    });
    return toOverview(rows, reference.levels, country ?? null);
  }

  @FieldResolver(() => Country, { nullable: true, description: 'The country; null for the region.' })
  async country(@Root() overview: Overview, @Ctx() ctx: Context) {
    const row = overview.countryIso3 ? await ctx.loaders.country.load(overview.countryIso3) : null;
    return row && toCountry(row);
  }
}
