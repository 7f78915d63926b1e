import { Arg, Ctx, Int, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { createReport, createTearline, retractReport, updateReport, type ReportContent } from '../db/queries/report-writes.js';
import { Lang, Tlp } from '../schema/common/enums.js';
import { UuidScalar } from '../schema/common/scalars.js';
import { CreateReportInput, UpdateReportInput } from '../schema/report/report.input.js';
import { toReport } from '../schema/report/report.mapper.js';
import { Report } from '../schema/report/report.type.js';
import { badInput } from '../errors.js';
import { requireMember } from './member.js';

const RELEASE_REASON =
  "Why the marking may be lowered (up to 2,000 characters), kept in the write's audit entry. Required when the write lowers the marking (a release decision: the originating organization's org-admin), refused otherwise; missing or blank is BAD_USER_INPUT.";

const TEARLINE_RELEASE_REASON =
  "Why this release (up to 2,000 characters), kept in the write's audit entry. Required: a tearline always lowers the marking; missing or blank is BAD_USER_INPUT.";

const IDEMPOTENCY_KEY =
  'A key you choose for this report (8 to 200 characters, e.g. a UUID). Sending the same key and report again (a retry after a lost response) writes nothing and returns the report made the first time; the same key with another report is CONFLICT.';

const language = (lang: Lang): 'en' | 'ru' => (lang === Lang.RU ? 'ru' : 'en');

/** null clears the optional texts (titles, source description); on any other field it means "keep". */
const CLEARABLE = new Set(['title', 'titleRu', 'sourceDescription']);
function toPatch(input: UpdateReportInput): ReportContent {
  return Object.fromEntries(
    Object.entries(input).filter(([key, value]) => value !== undefined && (value !== null || CLEARABLE.has(key))),
  ) as ReportContent;
}

@Resolver(() => Report)
export class ReportWritesResolver {
  @Mutation(() => Report, { description: 'Publish a report of your organization (contributor role).' })
  async createReport(
    @Arg('input', () => CreateReportInput, { description: 'The report.' }) input: CreateReportInput,
    @Ctx() ctx: Context,
    @Arg('idempotencyKey', () => String, { nullable: true, description: IDEMPOTENCY_KEY }) idempotencyKey?: string,
  ) {
    if (idempotencyKey !== undefined && idempotencyKey !== null && (idempotencyKey.length < 8 || idempotencyKey.length > 200)) {
      throw badInput('idempotencyKey must be 8 to 200 characters', 'idempotencyKey');
    }
    const { language: lang, indicators, sanctionsReferences, ...rest } = input;
    const content = { ...rest, language: language(lang), indicators: indicators ?? [], sanctionsReferences: sanctionsReferences ?? [] };
    return toReport(await createReport(ctx.db, requireMember(ctx), content, { idempotencyKey }));
  }

  @Mutation(() => Report, {
    description:
      "Write a new revision of a report of your organization. `expectedRevision` must be its current revision, else CONFLICT (someone changed it since you read it). Lowering the marking is a release decision: the originating organization's org-admin, with a `releaseReason`.",
  })
  async updateReport(
    @Arg('id', () => UuidScalar, { description: 'The report to revise.' }) id: string,
    @Arg('expectedRevision', () => Int, { description: 'The revision you read and changed.' }) expectedRevision: number,
    @Arg('input', () => UpdateReportInput, { description: 'The changes.' }) input: UpdateReportInput,
    @Ctx() ctx: Context,
    @Arg('releaseReason', () => String, { nullable: true, description: RELEASE_REASON }) releaseReason?: string,
  ) {
    return toReport(await updateReport(ctx.db, requireMember(ctx), id, expectedRevision, toPatch(input), releaseReason));
  }

  @Mutation(() => Report, { description: 'Retract a report of your organization: it stays readable, marked retracted, and leaves lists.' })
  async retractReport(
    @Arg('id', () => UuidScalar, { description: 'The report to retract.' }) id: string,
    @Arg('reason', () => String, { description: 'Why, for readers and the record (up to 2,000 characters; longer is refused, BAD_USER_INPUT).' }) reason: string,
    @Ctx() ctx: Context,
  ) {
    return toReport(await retractReport(ctx.db, requireMember(ctx), id, reason));
  }

  @Mutation(() => Report, {
    description:
      "Derive a lower-marking version of a report of your organization for wider release: a release decision, the originating organization's org-admin with a `releaseReason`. It links back to its source, visibly only to those who may see the source.",
  })
  async createTearline(
    @Arg('sourceReportId', () => UuidScalar, { description: 'The report to derive the tearline from (your organization\'s).' }) sourceReportId: string,
    @Arg('marking', () => Tlp, { description: "The tearline's marking, lower than the source's." }) marking: Tlp,
    @Arg('title', () => String, { description: 'Title of the released version.' }) title: string,
    @Arg('summary', () => String, { description: 'What may be released.' }) summary: string,
    @Ctx() ctx: Context,
    @Arg('body', () => String, { nullable: true, description: 'Released text; default: the summary.' }) body?: string,
    @Arg('releaseReason', () => String, { nullable: true, description: TEARLINE_RELEASE_REASON }) releaseReason?: string,
    @Arg('language', () => Lang, { nullable: true, description: "Language of the released title, summary and body; default: the source's." }) lang?: Lang,
  ) {
    const content = { tlp: marking, title, summary, body: body ?? null, language: lang ? language(lang) : null };
    return toReport(await createTearline(ctx.db, requireMember(ctx), sourceReportId, content, releaseReason));
  }
}
