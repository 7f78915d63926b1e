import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { checkGradingUse, sanctionsReferencesFor } from '../auth/policy.js';
import { findReportAccessLog } from '../db/queries/audit.js';
import { findReports } from '../db/queries/reports.js';
import { toAuditEvent } from '../schema/audit/audit-event.mapper.js';
import { AuditEventConnection } from '../schema/audit/audit-event.type.js';
import { PageArgs } from '../schema/common/page.args.js';
import { toGrant } from '../schema/grant/grant.mapper.js';
import { Grant } from '../schema/grant/grant.type.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { mapPage } from '../schema/common/map-page.js';
import { UuidScalar } from '../schema/common/scalars.js';
import { toCountry } from '../schema/country/country.mapper.js';
import { Country } from '../schema/country/country.type.js';
import { toIndicator } from '../schema/indicator/indicator.mapper.js';
import { Indicator } from '../schema/indicator/indicator.type.js';
import { toOrganization } from '../schema/organization/organization.mapper.js';
import { Organization } from '../schema/organization/organization.type.js';
import { reportGradingArgument, ReportsArgs } from '../schema/report/report.args.js';
import { currentRevision, toReport, toReportRevision, titleIn } from '../schema/report/report.mapper.js';
import { ReportRevision } from '../schema/report/report-revision.type.js';
import { withReportText } from '../schema/report/report.selection.js';
import { Report, ReportConnection } from '../schema/report/report.type.js';

@Resolver(() => Report)
export class ReportResolver {
  @Query(() => ReportConnection, { description: 'Reports the viewer may see, filtered, ordered and paginated.' })
  async reports(@Args(() => ReportsArgs) args: ReportsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, first, after } = args;
    checkGradingUse(ctx.viewer, 'Report', reportGradingArgument(args));
    return mapPage(await findReports(ctx.db, ctx.viewer, { filter, orderBy, first, after, withText: withReportText(info) }), toReport);
  }

  @Query(() => Report, { nullable: true, description: 'One report by id; null if it does not exist or the viewer may not see it.' })
  async report(@Arg('id', () => UuidScalar, { description: 'The report id (UUID).' }) id: string, @Ctx() ctx: Context) {
    const row = await ctx.loaders.report.load(id);
    return row && toReport(row);
  }

  @FieldResolver(() => String, { description: 'Title in the language asked for, or in the language the report has one.' })
  title(@Root() report: Report, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return titleIn(report.titles, lang ?? ctx.lang);
  }

  @FieldResolver(() => [String], {
    nullable: true,
    description:
      'Entries of the Security Council sanctions lists the report refers to (`QDi.`/`QDe.` ISIL/Al-Qaida, `TAi.`/`TAe.` Taliban). Each sanctions committee sees its own list, the Monitoring Team both, the originating organization all; others are denied.',
  })
  sanctionsReferences(@Root() report: Report, @Ctx() ctx: Context): string[] {
    return sanctionsReferencesFor(ctx.viewer, report);
  }

  @FieldResolver(() => [Grant], {
    nullable: true,
    description: 'With whom the report is shared (grants, including expired and revoked ones). The originating organization and `network-admin` only.',
  })
  async sharedWith(@Root() report: Report, @Ctx() ctx: Context) {
    return (await ctx.loaders.reportGrants.load(report.id)).map((g) => toGrant(g));
  }

  @FieldResolver(() => AuditEventConnection, {
    nullable: true,
    description:
      'Who read or changed this report, newest first. Each entry shows what concerns this report: of the other records the request touched, only those you may see, and only the fields read on them (auditors read whole entries in `auditEvents`). The originating organization and auditors only.',
  })
  async accessLog(@Root() report: Report, @Args(() => PageArgs) { first, after }: PageArgs, @Ctx() ctx: Context) {
    return mapPage(await findReportAccessLog(ctx.db, ctx.viewer, report.id, { first, after }), toAuditEvent);
  }

  @FieldResolver(() => Report, {
    nullable: true,
    description: 'For a tearline, the report it was derived from; null if it is none, or if you may not see the source.',
  })
  async tearlineOf(@Root() report: Report, @Ctx() ctx: Context) {
    const row = report.tearlineOfId ? await ctx.loaders.report.load(report.tearlineOfId) : null;
    return row && toReport(row);
  }

  @FieldResolver(() => [Report], { description: 'Lower-marking versions of this report released for wider distribution, that you may see.' })
  async tearlines(@Root() report: Report, @Ctx() ctx: Context) {
    return (await ctx.loaders.reportTearlines.load(report.id)).map(toReport);
  }

  @FieldResolver(() => [Country], { description: 'Countries the report covers.' })
  async countries(@Root() report: Report, @Ctx() ctx: Context) {
    const rows = report.countryCodes ? await ctx.loaders.country.loadMany(report.countryCodes) : await ctx.loaders.reportCountries.load(report.id);
    return rows.flatMap((row) => (row && !(row instanceof Error) ? [toCountry(row)] : []));
  }

  @FieldResolver(() => Organization, { nullable: true, description: 'The originating organization.' })
  async author(@Root() report: Report, @Ctx() ctx: Context) {
    const row = await ctx.loaders.organization.load(report.authorOrgId);
    return row && toOrganization(row);
  }

  @FieldResolver(() => [Indicator], { description: 'Early-warning indicators the report relates to.' })
  async indicators(@Root() report: Report, @Ctx() ctx: Context) {
    const rows = report.indicatorCodes ? await ctx.loaders.indicator.loadMany(report.indicatorCodes) : await ctx.loaders.reportIndicators.load(report.id);
    return rows.flatMap((row) => (row && !(row instanceof Error) ? [toIndicator(row)] : []));
  }

  @FieldResolver(() => [ReportRevision], {
    description:
      'The revisions of this report you may read, newest first: the current one, then each earlier one whose marking admitted you (see ReportRevision).',
  })
  async revisions(@Root() report: Report, @Ctx() ctx: Context) {
    const history = await ctx.loaders.reportHistory.load(report.id);
    return [
      currentRevision(report, history?.currentChangedBySub ?? report.authorSub),
      ...(history?.earlier ?? []).map((row) => toReportRevision(row, report.authorOrgId)).reverse(),
    ];
  }
}
