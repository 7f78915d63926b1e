import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { periodValueKey } from '../db/loaders.js';
import { BySourceArgs } from '../schema/observation/observation.args.js';
import { toObservation } from '../schema/observation/observation.mapper.js';
import type { Context } from '../auth/context.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { Indicator } from '../schema/indicator/indicator.type.js';
import { toGrant } from '../schema/grant/grant.mapper.js';
import { Grant } from '../schema/grant/grant.type.js';
import { Observation } from '../schema/observation/observation.type.js';
import { toReport } from '../schema/report/report.mapper.js';
import { Report } from '../schema/report/report.type.js';
import { toOrganization } from '../schema/organization/organization.mapper.js';
import { Organization } from '../schema/organization/organization.type.js';

@Resolver(() => Observation)
export class ObservationResolver {
  @FieldResolver(() => Indicator, { nullable: true, description: 'The indicator measured.' })
  async indicator(@Root() obs: Observation, @Ctx() ctx: Context) {
    const row = await ctx.loaders.indicator.load(obs.indicatorCode);
    return row && toIndicator(row);
  }

  @FieldResolver(() => Country, { nullable: true, description: 'The country measured.' })
  async country(@Root() obs: Observation, @Ctx() ctx: Context) {
    const row = await ctx.loaders.country.load(obs.countryIso3);
    return row && toCountry(row);
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The organization that provided the value.' })
  async source(@Root() obs: Observation, @Ctx() ctx: Context) {
    const row = await ctx.loaders.organization.load(obs.sourceOrgId);
    return row && toOrganization(row);
  }

  @FieldResolver(() => [Observation], {
    description:
      "Every source's value for the same indicator, country and period that the viewer may see, this one included, side by side (ordered by source id). Give the list's `asOf` to read them as of the same instant.",
  })
  async bySource(@Root() obs: Observation, @Args(() => BySourceArgs) { asOf }: BySourceArgs, @Ctx() ctx: Context) {
    const [rows, indicators] = await Promise.all([ctx.loaders.periodValues.load({ scopeKey: periodValueKey(obs), args: { asOf } }), ctx.loaders.levels()]);
    return rows.map((row) => toObservation(row, indicators));
  }

  @FieldResolver(() => Report, {
    nullable: true,
    description: 'The report the value rests on (its source document), if the writer named one and you may see it; else null.',
  })
  async sourceReport(@Root() obs: Observation, @Ctx() ctx: Context) {
    const row = obs.sourceReportId ? await ctx.loaders.report.load(obs.sourceReportId) : null;
    return row && toReport(row);
  }

  @FieldResolver(() => Boolean, {
    nullable: true,
    description:
      "On `latestValues`: true when a later value of the series exists that you may not see (a later period, or a later revision of this one); false when none does. Null where the indicator's owner does not disclose withheld values (Indicator.disclosesWithheld), and on other lists.",
  })
  async newerWithheld(@Root() obs: Observation, @Ctx() ctx: Context): Promise<boolean | null> {
    const indicator = await ctx.loaders.indicator.load(obs.indicatorCode);
    if (!obs.latestOf || !indicator?.discloseWithheld) return null;
    const { asOf, source } = obs.latestOf;
    if (obs.supersededAt && (!asOf || obs.supersededAt <= asOf)) return true;
    return ctx.loaders.laterWithheld.load({ scopeKey: periodValueKey(obs), args: { asOf, source } });
  }

  @FieldResolver(() => [Grant], {
    nullable: true,
    description: 'With whom the observation is shared. The originating organization and `network-admin` only.',
  })
  async sharedWith(@Root() obs: Observation, @Ctx() ctx: Context) {
    return (await ctx.loaders.observationGrants.load(obs.id)).map((g) => toGrant(g));
  }
}
