import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { checkGradingUse, mayManageReferenceData } from '../auth/policy.js';
import { ApiError, ErrorCode, badInput } from '../errors.js';
import { requireMember } from './member.js';
import { gradingArgument } from '../schema/common/grading.js';
import { findIndicators, setIndicatorDisclosure } from '../db/queries/indicators.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { pick } from '../schema/common/localized.js';
import { mapPage } from '../schema/common/map-page.js';
import { IndicatorDisclosureArgs, IndicatorsArgs, IndicatorLatestValuesArgs, ThresholdsForArgs } from '../schema/indicator/indicator.args.js';
import { toIndicator, toThresholds } from '../schema/indicator/indicator.mapper.js';
import { Indicator, Thresholds } from '../schema/indicator/indicator.type.js';
import { toCountryGroup } from '../schema/country/country-group.mapper.js';
import { CountryGroup } from '../schema/country/country-group.type.js';
import { toCountries } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { IndicatorObservationsArgs } from '../schema/observation/observation.args.js';
import { toObservation, toWithheldValue, withWithheld } from '../schema/observation/observation.mapper.js';
import { Observation, ObservationConnection } from '../schema/observation/observation.type.js';

@Resolver(() => Indicator)
export class IndicatorResolver {
  @Mutation(() => Indicator, {
    description:
      "Whether readers are told of an indicator's values they may not see (`withheld`, `newerWithheld`). `network-admin` only, with a reason kept in the audit entry.",
  })
  async setIndicatorDisclosure(@Args(() => IndicatorDisclosureArgs) { indicator, disclosesWithheld, reason }: IndicatorDisclosureArgs, @Ctx() ctx: Context) {
    const viewer = requireMember(ctx);
    if (!mayManageReferenceData(viewer)) throw new ApiError(ErrorCode.FORBIDDEN, 'Changing indicator options needs the network-admin role');
    return toIndicator(await setIndicatorDisclosure(ctx.db, viewer, indicator, disclosesWithheld, reason));
  }

  @Query(() => [Indicator], { description: 'Early-warning indicator definitions, by code.' })
  async indicators(@Args(() => IndicatorsArgs) { filter }: IndicatorsArgs, @Ctx() ctx: Context) {
    return (await findIndicators(ctx.db, { filter })).map(toIndicator);
  }

  @Query(() => Indicator, { nullable: true, description: 'One indicator by code (e.g. `OP-01`); null if unknown.' })
  async indicator(@Arg('code', () => String, { description: 'Indicator code.' }) code: string, @Ctx() ctx: Context) {
    const row = code.length <= 16 ? await ctx.loaders.indicator.load(code) : null;
    return row && toIndicator(row);
  }

  @FieldResolver(() => String, { description: 'Name in the language asked for.' })
  name(@Root() indicator: Indicator, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(indicator.names, lang ?? ctx.lang);
  }

  @FieldResolver(() => String, { description: 'What the indicator measures, in the language asked for.' })
  description(@Root() indicator: Indicator, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(indicator.descriptions, lang ?? ctx.lang);
  }

  @FieldResolver(() => String, { description: 'Unit of the values in the language asked for (e.g. "incidents", "инцидентов"; "%" in both).' })
  unit(@Root() indicator: Indicator, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(indicator.units, lang ?? ctx.lang);
  }

  @FieldResolver(() => String, { description: 'How the value is measured and from which sources, in the language asked for.' })
  methodology(@Root() indicator: Indicator, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(indicator.methodologies, lang ?? ctx.lang);
  }

  @FieldResolver(() => [Country], {
    description: 'The countries it applies to, by ISO code: those it names and the members of the country groups it names. Only these have a series: values for others are refused, and lists hold no series for them.',
  })
  async appliesTo(@Root() indicator: Indicator, @Ctx() ctx: Context): Promise<Country[]> {
    const applicability = await ctx.loaders.indicatorApplicability.load(indicator.code);
    return toCountries(await ctx.loaders.country.loadMany(applicability?.countries ?? []));
  }

  @FieldResolver(() => [CountryGroup], { description: 'The country groups (roles, e.g. the states bordering Afghanistan) it is declared for, by code; `appliesTo` holds their members.' })
  async appliesToGroups(@Root() indicator: Indicator, @Ctx() ctx: Context): Promise<CountryGroup[]> {
    return ((await ctx.loaders.indicatorApplicability.load(indicator.code))?.groups ?? []).map(toCountryGroup);
  }

  @FieldResolver(() => [Thresholds], { description: "The countries with their own thresholds for this indicator (the others are judged by `thresholds`), by country, each with why it differs." })
  async countryThresholds(@Root() indicator: Indicator, @Ctx() ctx: Context): Promise<Thresholds[]> {
    const levels = await ctx.loaders.levels();
    return levels.countryThresholdsOf(indicator.code).flatMap((t) => {
      const inForce = levels.thresholdsFor(indicator.code, t.country);
      return inForce ? [toThresholds(inForce)] : [];
    });
  }

  @FieldResolver(() => Thresholds, { description: "The thresholds a country's values are judged by: its own, or the indicator's defaults (then `country` is null)." })
  async thresholdsFor(@Root() indicator: Indicator, @Args(() => ThresholdsForArgs) { country }: ThresholdsForArgs, @Ctx() ctx: Context): Promise<Thresholds> {
    if (!(await ctx.loaders.country.load(country))) throw badInput(`Unknown country code "${country}"`, 'country');
    const thresholds = (await ctx.loaders.levels()).thresholdsFor(indicator.code, country);
    return thresholds ? toThresholds(thresholds) : indicator.thresholds;
  }

  @FieldResolver(() => ObservationConnection, { description: 'Values of this indicator, newest period first, as the viewer may see them.' })
  async observations(@Root() indicator: Indicator, @Args(() => IndicatorObservationsArgs) args: IndicatorObservationsArgs, @Ctx() ctx: Context) {
    const { country, from, to, asOf, source, minReliability, minCredibility, first, after } = args;
    checkGradingUse(ctx.viewer, 'Observation', gradingArgument(args));
    const [page, indicators] = await Promise.all([
      ctx.loaders.indicatorObservations.load({ scopeKey: indicator.code, args: { country, from, to, asOf, source, minReliability, minCredibility, first, after } }),
      ctx.loaders.levels(),
    ]);
    return withWithheld(mapPage(page, (row) => toObservation(row, indicators)), async () =>
      (await ctx.loaders.indicatorWithheld.load({ scopeKey: indicator.code, args: { country, from, to, asOf, source } })).map((w) => toWithheldValue(w, indicators)),
    );
  }

  @FieldResolver(() => [Observation], { description: 'The latest value per country that the viewer may see (one per country).' })
  async latestValues(@Root() indicator: Indicator, @Args(() => IndicatorLatestValuesArgs) { countries, asOf, source }: IndicatorLatestValuesArgs, @Ctx() ctx: Context) {
    const [rows, indicators] = await Promise.all([
      ctx.loaders.indicatorLatest.load({ scopeKey: indicator.code, args: { countries, asOf, source } }),
      ctx.loaders.levels(),
    ]);
    return rows.map((row) => Object.assign(toObservation(row, indicators), { latestOf: { asOf, source } }));
  }
}
