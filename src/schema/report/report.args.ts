import { Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { ReportKind, ReportOrder, SourceReliability, Tlp, Topic } from '../common/enums.js';
import { gradingArgument } from '../common/grading.js';
import { PageArgs } from '../common/page.args.js';
import { DateTimeScalar } from '../common/scalars.js';

export const MAX_SEARCH_LENGTH = 200;

@InputType({ description: 'Conditions a report must meet; all given ones apply. Only reports the viewer may see are ever matched.' })
export class ReportFilter {
  @Field(() => String, { nullable: true, description: 'Reports covering this country (ISO alpha-3, e.g. `TJK`).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => Topic, { nullable: true, description: 'Reports about this topic.' })
  topic?: Topic | null;

  @Field(() => ReportKind, { nullable: true, description: 'Reports of this kind.' })
  kind?: ReportKind | null;

  @Field(() => Tlp, { nullable: true, description: 'Reports with this marking.' })
  tlp?: Tlp | null;

  @Field(() => String, { nullable: true, description: 'Reports written by this organization (its id, e.g. `unodc`).' })
  @MaxLength(64, { message: 'author must be an organization id' })
  author?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Published at or after this instant.' })
  publishedFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Published before this instant.' })
  publishedTo?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: `Full-text search over title, summary and body, in English or Russian. Words are stemmed and matched by prefix, so a word also finds its other forms and derived words ("propagandists" finds "propaganda", "terrorism" finds "terrorists", "Казахстан" finds "Казахстане", "экстремисты" finds "экстремизм"); a stem shorter than 5 letters is matched exactly. Quotes for phrases, "-word" excludes, "or" between alternatives. At most ${MAX_SEARCH_LENGTH} characters.`,
  })
  @MaxLength(MAX_SEARCH_LENGTH, { message: `search must be at most ${MAX_SEARCH_LENGTH} characters` })
  search?: string | null;

  @Field(() => SourceReliability, {
    nullable: true,
    description: 'Reports whose source is graded this reliable or better (`B`: A or B). Members only, as the grading is.',
  })
  minReliability?: SourceReliability | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Reports whose information is graded this credible or better, 1 (confirmed) to 6 (`2`: 1 or 2). Members only, as the grading is.',
  })
  @Min(1, { message: 'minCredibility must be 1 to 6' })
  @Max(6, { message: 'minCredibility must be 1 to 6' })
  minCredibility?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Include retracted reports (left out by default).' })
  includeRetracted?: boolean | null;
}

@ArgsType()
export class ReportsArgs extends PageArgs {
  @Field(() => ReportFilter, { nullable: true, description: 'Conditions on the reports listed.' })
  @ValidateNested()
  filter?: ReportFilter | null;

  @Field(() => ReportOrder, { defaultValue: ReportOrder.PUBLISHED_DESC, description: 'Order of the list.' })
  orderBy!: ReportOrder;
}

/** The grading argument a report list uses, if any, named as the caller wrote it (for the policy's check). */
export function reportGradingArgument({ filter, orderBy }: Pick<ReportsArgs, 'filter' | 'orderBy'>): string | null {
  return gradingArgument(filter, 'filter.') ?? (orderBy === ReportOrder.GRADING ? 'orderBy' : null);
}
