import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { checkGradingUse } from '../auth/policy.js';
import { findOrganizations } from '../db/queries/organizations.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { pick } from '../schema/common/localized.js';
import { mapPage } from '../schema/common/map-page.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { OrganizationsArgs } from '../schema/organization/organization.args.js';
import { toOrganization } from '../schema/organization/organization.mapper.js';
import { Organization, OrganizationConnection } from '../schema/organization/organization.type.js';
import { reportGradingArgument, ReportsArgs } from '../schema/report/report.args.js';
import { toReport } from '../schema/report/report.mapper.js';
import { withReportText } from '../schema/report/report.selection.js';
import { ReportConnection } from '../schema/report/report.type.js';

@Resolver(() => Organization)
export class OrganizationResolver {
  @Query(() => OrganizationConnection, { description: 'Partner organizations of the network, by id.' })
  async organizations(@Args(() => OrganizationsArgs) { filter, first, after }: OrganizationsArgs, @Ctx() ctx: Context) {
    return mapPage(await findOrganizations(ctx.db, { filter, first, after }), toOrganization);
  }

  @Query(() => Organization, { nullable: true, description: 'One organization by id (e.g. `unodc`); null if unknown.' })
  async organization(@Arg('id', () => String, { description: 'Organization id, e.g. `sc-1267`.' }) id: string, @Ctx() ctx: Context) {
    const row = id.length <= 64 ? await ctx.loaders.organization.load(id) : null;
    return row && toOrganization(row);
  }

  @FieldResolver(() => String, { description: 'Full name in the language asked for.' })
  name(@Root() org: Organization, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return pick(org.names, lang ?? ctx.lang);
  }

  @FieldResolver(() => Country, { nullable: true, description: 'Country of a national body; null for international ones.' })
  async country(@Root() org: Organization, @Ctx() ctx: Context) {
    const row = org.countryIso3 ? await ctx.loaders.country.load(org.countryIso3) : null;
    return row && toCountry(row);
  }

  @FieldResolver(() => [Organization], {
    description: 'Organizations this one supports (the Monitoring Team supports both sanctions committees). Under TLP:AMBER, what is shared with a parent reaches its clients.',
  })
  async parents(@Root() org: Organization, @Ctx() ctx: Context) {
    return this.load(await ctx.loaders.organizationParents.load(org.id), ctx);
  }

  @FieldResolver(() => [Organization], { description: 'Organizations supporting this one (its clients).' })
  async clients(@Root() org: Organization, @Ctx() ctx: Context) {
    return this.load(await ctx.loaders.organizationClients.load(org.id), ctx);
  }

  @FieldResolver(() => ReportConnection, { description: 'Reports written by this organization that the viewer may see.' })
  async reports(@Root() org: Organization, @Args(() => ReportsArgs) { filter, orderBy, first, after }: ReportsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    checkGradingUse(ctx.viewer, 'Report', reportGradingArgument({ filter, orderBy }));
    const page = await ctx.loaders.authorReports.load({ scopeKey: org.id, args: { filter, orderBy, first, after, withText: withReportText(info) } });
    return mapPage(page, toReport);
  }

  private async load(ids: readonly string[], ctx: Context): Promise<Organization[]> {
    const rows = await ctx.loaders.organization.loadMany(ids);
    return rows.flatMap((row) => (row && !(row instanceof Error) ? [toOrganization(row)] : []));
  }
}
