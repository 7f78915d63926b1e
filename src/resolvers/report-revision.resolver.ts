import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { LangArgs } from '../schema/common/lang.args.js';
import { titleIn } from '../schema/report/report.mapper.js';
import { ReportRevision } from '../schema/report/report-revision.type.js';

@Resolver(() => ReportRevision)
export class ReportRevisionResolver {
  @FieldResolver(() => String, { description: 'Title as it was in this revision, in the language asked for, or in the language it had one.' })
  title(@Root() revision: ReportRevision, @Args(() => LangArgs) { lang }: LangArgs, @Ctx() ctx: Context): string {
    return titleIn(revision.titles, lang ?? ctx.lang);
  }
}
