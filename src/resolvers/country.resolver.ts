import type { GraphQLResolveInfo } from 'graphql';
import { Args, Ctx, FieldResolver, Info, Query, Resolver, Root, Arg } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { checkGradingUse } from '../auth/policy.js';
import { gradingArgument } from '../schema/common/grading.js';
import { badInput } from '../errors.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { pick } from '../schema/common/localized.js';
import { mapPage } from '../schema/common/map-page.js';
import { LatestValuesArgs } from '../schema/country/country.args.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { Population } from '../schema/country/population.type.js';
import { CountryObservationsArgs } from '../schema/observation/observation.args.js';
import { toObservation, toWithheldValue, withWithheld } from '../schema/observation/observation.mapper.js';
import { Observation, ObservationConnection } from '../schema/observation/observation.type.js';
import { reportGradingArgument, ReportsArgs } from '../schema/report/report.args.js';
import { toReport } from '../schema/report/report.mapper.js';
import { withReportText } from '../schema/report/report.selection.js';
import { ReportConnection } from '../schema/report/report.type.js';

const ISO3 = /^[A-Z]{3}$/;

@Resolver(() => Country)
export class CountryResolver {
  @Query(() => [Country], { description: 'All countries the network follows, by ISO code.' })
  async countries(@Ctx() ctx: Context): Promise<Country[]> {
    return (await ctx.loaders.reference()).countries.map(toCountry);
  }

  @Query(() => Country, { nullable: true, description: 'One country by its ISO 3166-1 alpha-3 code; null if the network does not follow it.' })
  async country(@Arg('iso3', () => String, { description: 'ISO alpha-3 code, e.g. `TJK`.' }) iso3: string, @Ctx() ctx: Context) {
    if (!ISO3.test(iso3)) throw badInput('iso3 must be an ISO 3166-1 alpha-3 code such as TJK', 'iso3');
    const row = await ctx.loaders.country.load(iso3);
    return row && toCountry(row);
  }

  @FieldResolver(() => [Population], { description: 'Population figures by year, with their sources: what rates per 100,000 (`Observation.rate`) divide by.' })
  async populations(@Root() country: Country, @Ctx() ctx: Context): Promise<Population[]> {
    return (await ctx.loaders.levels()).populationsOf(country.iso3).map((p) => Object.assign(new Population(), p));
  }

  @FieldResolver(() => String, { description: 'Name in the language asked for.' })
  name(@Root() country: Country, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(country.names, lang ?? ctx.lang);
  }

  @FieldResolver(() => ReportConnection, { description: 'Reports covering this country that the viewer may see.' })
  async reports(@Root() country: Country, @Args(() => ReportsArgs) args: ReportsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, first, after } = args;
    checkGradingUse(ctx.viewer, 'Report', reportGradingArgument(args));
    const page = await ctx.loaders.countryReports.load({ scopeKey: country.iso3, args: { filter, orderBy, first, after, withText: withReportText(info) } });
    return mapPage(page, toReport);
  }

  @FieldResolver(() => [Observation], {
    description: 'The latest value of each indicator for this country that the viewer may see (one per indicator).',
  })
  async latestValues(@Root() country: Country, @Args(() => LatestValuesArgs) { asOf, source }: LatestValuesArgs, @Ctx() ctx: Context) {
    const [rows, indicators] = await Promise.all([ctx.loaders.countryLatest.load({ scopeKey: country.iso3, args: { asOf, source } }), ctx.loaders.levels()]);
    return rows.map((row) => Object.assign(toObservation(row, indicators), { latestOf: { asOf, source } }));
  }

  @FieldResolver(() => ObservationConnection, { description: "This country's observations, newest period first." })
  async observations(@Root() country: Country, @Args(() => CountryObservationsArgs) args: CountryObservationsArgs, @Ctx() ctx: Context) {
    const { indicator, from, to, asOf, source, minReliability, minCredibility, first, after } = args;
    checkGradingUse(ctx.viewer, 'Observation', gradingArgument(args));
    const [page, indicators] = await Promise.all([
      ctx.loaders.countryObservations.load({ scopeKey: country.iso3, args: { indicator, from, to, asOf, source, minReliability, minCredibility, first, after } }),
      ctx.loaders.levels(),
    ]);
    return withWithheld(mapPage(page, (row) => toObservation(row, indicators)), async () =>
      (await ctx.loaders.countryWithheld.load({ scopeKey: country.iso3, args: { indicator, from, to, asOf, source } })).map((w) => toWithheldValue(w, indicators)),
    );
  }
}
