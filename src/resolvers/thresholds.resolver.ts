import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { mayManageReferenceData } from '../auth/policy.js';
import type { MemberViewer } from '../auth/viewer.js';
import { removeCountryThresholds, setCountryThresholds, setIndicatorThresholds, setPopulation } from '../db/queries/thresholds.js';
import { ApiError, ErrorCode } from '../errors.js';
import { AlertRecount } from '../schema/alert/alert-recount.type.js';
import { PopulationArgs } from '../schema/country/country.args.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { PopulationChange } from '../schema/country/population-change.type.js';
import { Population } from '../schema/country/population.type.js';
import { CountryThresholdsArgs, IndicatorThresholdsArgs, RemoveCountryThresholdsArgs } from '../schema/indicator/indicator.args.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { ThresholdsChange } from '../schema/indicator/thresholds-change.type.js';
import type { IndicatorRow } from '../db/schema/indicators.js';
import type { AlertRecount as Recount } from '../db/queries/thresholds.js';
import { requireMember } from './member.js';

/** The thresholds and population figures levels are judged by are the network's reference data: network-admin keeps them. */
function requireNetworkAdmin(ctx: Context): MemberViewer {
  const viewer = requireMember(ctx);
  if (!mayManageReferenceData(viewer)) throw new ApiError(ErrorCode.FORBIDDEN, 'Changing thresholds and population figures needs the network-admin role');
  return viewer;
}

/** The answer's fields (thresholdsFor, populations, levels) read the committed reference data. */
function changed<T>(ctx: Context, answer: T): T {
  ctx.loaders.referenceChanged();
  return answer;
}

const recount = (r: Recount) => Object.assign(new AlertRecount(), r);
const change = (r: { indicator: IndicatorRow; alerts: Recount }) => Object.assign(new ThresholdsChange(), { indicator: toIndicator(r.indicator), alerts: recount(r.alerts) });

@Resolver()
export class ThresholdsResolver {
  @Mutation(() => ThresholdsChange, {
    description: "An indicator's default thresholds and their basis (the value, or per 100,000 population for counts). `network-admin` only; audited with the reason; the alerts of its series are re-evaluated in the same transaction.",
  })
  async setIndicatorThresholds(@Args(() => IndicatorThresholdsArgs) args: IndicatorThresholdsArgs, @Ctx() ctx: Context) {
    return changed(ctx, change(await setIndicatorThresholds(ctx.db, requireNetworkAdmin(ctx), args)));
  }

  @Mutation(() => ThresholdsChange, {
    description: "A country's own thresholds for an indicator (on the indicator's basis), replacing any it had. `network-admin` only; audited with the note; the alerts of the country's series are re-evaluated in the same transaction.",
  })
  async setCountryThresholds(@Args(() => CountryThresholdsArgs) args: CountryThresholdsArgs, @Ctx() ctx: Context) {
    return changed(ctx, change(await setCountryThresholds(ctx.db, requireNetworkAdmin(ctx), args)));
  }

  @Mutation(() => ThresholdsChange, { description: "Removes a country's own thresholds: the indicator's defaults hold again. `network-admin` only; audited; alerts re-evaluated." })
  async removeCountryThresholds(@Args(() => RemoveCountryThresholdsArgs) args: RemoveCountryThresholdsArgs, @Ctx() ctx: Context) {
    return changed(ctx, change(await removeCountryThresholds(ctx.db, requireNetworkAdmin(ctx), args)));
  }

  @Mutation(() => PopulationChange, {
    description: "Records a country's population for a year, with its source (replacing that year's figure). `network-admin` only; audited; the alerts of the country's series judged per 100,000 are re-evaluated in the same transaction.",
  })
  async setPopulation(@Args(() => PopulationArgs) args: PopulationArgs, @Ctx() ctx: Context) {
    const { country, population, alerts } = await setPopulation(ctx.db, requireNetworkAdmin(ctx), args);
    return changed(ctx, Object.assign(new PopulationChange(), {
      country: toCountry(country),
      population: Object.assign(new Population(), { year: population.year, population: population.population, source: population.source }),
      alerts: recount(alerts),
    }));
  }
}
