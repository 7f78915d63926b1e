import { ArrayMaxSize, ArrayMinSize, IsInt, Length, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { Lang, ReportKind, SourceReliability, Tlp, Topic } from '../common/enums.js';
import { DateTimeScalar } from '../common/scalars.js';

@InputType({ description: 'A new report of your organization. Needs the contributor role; TLP:CLEAR needs org-admin.' })
export class CreateReportInput {
  @Field(() => String, { nullable: true, description: 'English title (give this, titleRu, or both).' })
  @Length(3, 300, { message: 'title must be 3 to 300 characters' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Russian title.' })
  @Length(3, 300, { message: 'titleRu must be 3 to 300 characters' })
  titleRu?: string | null;

  @Field(() => Lang, { description: 'Language of summary and body.' })
  language!: Lang;

  @Field(() => String, { description: 'Summary, up to 5,000 characters.' })
  @Length(1, 5000, { message: 'summary must be 1 to 5000 characters' })
  summary!: string;

  @Field(() => String, { description: 'Full text, up to 200,000 characters.' })
  @Length(1, 200_000, { message: 'body must be 1 to 200000 characters' })
  body!: string;

  @Field(() => ReportKind, { description: 'What kind of document it is.' })
  kind!: ReportKind;

  @Field(() => [Topic], { description: 'Themes (1 to 10).' })
  @ArrayMinSize(1, { message: 'topics must hold 1 to 10 themes' })
  @ArrayMaxSize(10, { message: 'topics must hold 1 to 10 themes' })
  topics!: Topic[];

  @Field(() => [String], { description: 'Countries covered (ISO alpha-3), at least one.' })
  @ArrayMaxSize(20)
  countries!: string[];

  @Field(() => [String], { nullable: true, description: 'Codes of related indicators.' })
  @ArrayMaxSize(30)
  indicators?: string[] | null;

  @Field(() => Tlp, { description: 'TLP marking.' })
  tlp!: Tlp;

  @Field(() => SourceReliability, { description: 'Admiralty grading of the source (A–F).' })
  sourceReliability!: SourceReliability;

  @Field(() => Int, { description: 'Admiralty grading of the information (1–6).' })
  @IsInt()
  @Min(1, { message: 'informationCredibility must be 1 to 6' })
  @Max(6, { message: 'informationCredibility must be 1 to 6' })
  informationCredibility!: number;

  @Field(() => String, { nullable: true, description: 'Where the information comes from (restricted field).' })
  @Length(0, 2000, { message: 'sourceDescription must be at most 2000 characters' })
  sourceDescription?: string | null;

  @Field(() => [String], { nullable: true, description: 'Sanctions list entries (QDi.NNN, QDe.NNN, TAi.NNN, TAe.NNN).' })
  @ArrayMaxSize(50)
  sanctionsReferences?: string[] | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Publication instant; default now. May be in the past (a report published elsewhere first), not in the future (beyond 5 minutes of clock skew): it would top every newest-first list.',
  })
  publishedAt?: Date | null;
}

@InputType({ description: 'Changes to a report; fields left out keep their value. Lists replace the whole list.' })
export class UpdateReportInput {
  @Field(() => String, { nullable: true, description: 'English title.' })
  @Length(3, 300, { message: 'title must be 3 to 300 characters' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'Russian title.' })
  @Length(3, 300, { message: 'titleRu must be 3 to 300 characters' })
  titleRu?: string | null;

  @Field(() => String, { nullable: true, description: 'Summary.' })
  @Length(1, 5000, { message: 'summary must be 1 to 5000 characters' })
  summary?: string | null;

  @Field(() => String, { nullable: true, description: 'Full text.' })
  @Length(1, 200_000, { message: 'body must be 1 to 200000 characters' })
  body?: string | null;

  @Field(() => ReportKind, { nullable: true, description: 'Kind of document.' })
  kind?: ReportKind | null;

  @Field(() => [Topic], { nullable: true, description: 'Themes (1 to 10).' })
  @ArrayMinSize(1, { message: 'topics must hold 1 to 10 themes' })
  @ArrayMaxSize(10, { message: 'topics must hold 1 to 10 themes' })
  topics?: Topic[] | null;

  @Field(() => [String], { nullable: true, description: 'Countries covered.' })
  @ArrayMaxSize(20)
  countries?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Related indicators.' })
  @ArrayMaxSize(30)
  indicators?: string[] | null;

  @Field(() => Tlp, { nullable: true, description: 'TLP marking.' })
  tlp?: Tlp | null;

  @Field(() => SourceReliability, { nullable: true, description: 'Source grading.' })
  sourceReliability?: SourceReliability | null;

  @Field(() => Int, { nullable: true, description: 'Information grading (1–6).' })
  @Min(1, { message: 'informationCredibility must be 1 to 6' })
  @Max(6, { message: 'informationCredibility must be 1 to 6' })
  informationCredibility?: number | null;

  @Field(() => String, { nullable: true, description: 'Source description.' })
  @Length(0, 2000, { message: 'sourceDescription must be at most 2000 characters' })
  sourceDescription?: string | null;

  @Field(() => [String], { nullable: true, description: 'Sanctions list entries.' })
  @ArrayMaxSize(50)
  sanctionsReferences?: string[] | null;
}
