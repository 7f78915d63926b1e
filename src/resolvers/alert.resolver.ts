import { toOrganization } from '../schema/organization/organization.mapper.js';
import { Organization } from '../schema/organization/organization.type.js';
import { Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { triageFilterRefusal } from '../auth/policy.js';
import { findAlerts, type AlertFilter as DbAlertFilter } from '../db/queries/alerts.js';
import { ApiError, ErrorCode } from '../errors.js';
import { AcknowledgeAlertArgs, AlertsArgs, type AlertFilter } from '../schema/alert/alert.args.js';
import { toAlert } from '../schema/alert/alert.mapper.js';
import { Alert, AlertConnection } from '../schema/alert/alert.type.js';
import { mapPage } from '../schema/common/map-page.js';
import { formatPeriod, parsePeriod } from '../schema/common/period.js';
import { PeriodScalar } from '../schema/common/scalars.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { Indicator } from '../schema/indicator/indicator.type.js';
import { toObservation } from '../schema/observation/observation.mapper.js';
import { Observation } from '../schema/observation/observation.type.js';
import { triager, writeTriage } from './alert-triage.resolver.js';

/** The API's filter in the query's terms: periods as day ranges, `since` as knownFrom. */
function alertFilter(filter: AlertFilter): DbAlertFilter {
  const { periodFrom, periodTo, since, knownFrom, ...rest } = filter;
  return {
    ...rest,
    knownFrom: knownFrom ?? since,
    periodFrom: periodFrom ? parsePeriod(periodFrom).start : null,
    periodBefore: periodTo ? parsePeriod(periodTo).end : null,
  };
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => AlertConnection, { description: 'Early-warning alerts you may see (all the values behind them), newest first.' })
  async alerts(@Args(() => AlertsArgs) { filter, orderBy, first, after }: AlertsArgs, @Ctx() ctx: Context) {
    const triageArgument = filter?.triageState ? 'filter.triageState' : filter?.assignedToMe != null ? 'filter.assignedToMe' : null;
    const refusal = triageArgument && triageFilterRefusal(ctx.viewer);
    if (refusal) throw new ApiError(ErrorCode.FORBIDDEN, refusal, { field: triageArgument });
    return mapPage(await findAlerts(ctx.db, ctx.viewer, { filter: filter && alertFilter(filter), orderBy, first, after }), toAlert);
  }

  @Mutation(() => Alert, {
    description:
      "Acknowledge an alert you may see, with a note (analyst role), for your organization: its triage's first step, NEW → ACKNOWLEDGED (the same as `triageAlert(state: ACKNOWLEDGED)`). Another organization's acknowledgement does not count: CONFLICT only if your organization's triage is already past NEW.",
  })
  async acknowledgeAlert(@Args(() => AcknowledgeAlertArgs) { id, note }: AcknowledgeAlertArgs, @Ctx() ctx: Context) {
    return writeTriage(ctx, triager(ctx), id, { kind: 'transition', to: 'ACKNOWLEDGED', note, field: 'id' }, 'acknowledgeAlert');
  }

  @FieldResolver(() => Indicator, { nullable: true, description: 'The indicator concerned.' })
  async indicator(@Root() alert: Alert, @Ctx() ctx: Context) {
    const row = await ctx.loaders.indicator.load(alert.indicatorCode);
    return row && toIndicator(row);
  }

  @FieldResolver(() => Country, { nullable: true, description: 'The country concerned.' })
  async country(@Root() alert: Alert, @Ctx() ctx: Context) {
    const row = await ctx.loaders.country.load(alert.countryIso3);
    return row && toCountry(row);
  }

  @FieldResolver(() => Organization, { nullable: true, description: "The source whose series raised it: each source's figures are a series of their own." })
  async source(@Root() alert: Alert, @Ctx() ctx: Context) {
    const row = await ctx.loaders.organization.load(alert.sourceOrgId);
    return row && toOrganization(row);
  }

  @FieldResolver(() => PeriodScalar, { description: 'The period of the value that raised it.' })
  async period(@Root() alert: Alert, @Ctx() ctx: Context): Promise<string> {
    const indicator = await ctx.loaders.indicator.load(alert.indicatorCode);
    return formatPeriod(alert.periodStart, indicator?.periodicity ?? 'MONTHLY');
  }

  @FieldResolver(() => Observation, {
    nullable: true,
    description: 'The value revision whose recording showed the alert no longer holds; null if it does, if a change of the rules did, or if you may not see that revision.',
  })
  async supersededBy(@Root() alert: Alert, @Ctx() ctx: Context) {
    if (!alert.supersededByObservationId) return null;
    const [row, indicators] = await Promise.all([ctx.loaders.observation.load(alert.supersededByObservationId), ctx.loaders.levels()]);
    return row && toObservation(row, indicators);
  }

  @FieldResolver(() => [Observation], { description: 'The values behind the alert: the one that raised it, and for TREND its baseline.' })
  async observations(@Root() alert: Alert, @Ctx() ctx: Context) {
    const [rows, indicators] = await Promise.all([ctx.loaders.observation.loadMany(alert.observationIds), ctx.loaders.levels()]);
    return rows.flatMap((o) => (o && !(o instanceof Error) ? [toObservation(o, indicators)] : []));
  }
}
