import { Directive, Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { Lang, ReportKind, SourceReliability, Tlp, Topic } from '../common/enums.js';
import { RecordOrigin } from '../common/record-origin.type.js';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';

@ObjectType({ simpleResolvers: true, description: 'A report shared in the network: research, assessment, incident, conference summary, workplan or briefing.' })
@Directive('@key(fields: "id")')
export class Report {
  @Field(() => UuidScalar, { description: 'Stable id (UUID).' })
  id!: string;

  @Field(() => String, { description: 'Summary in the language of the report.' })
  summary!: string;

  @Field(() => String, { description: 'Full text in the language of the report.' })
  body!: string;

  @Field(() => Lang, { description: 'Language the report is written in.' })
  language!: Lang;

  @Field(() => ReportKind, { description: 'What kind of document it is.' })
  kind!: ReportKind;

  @Field(() => [Topic], { description: 'Themes the report is about.' })
  topics!: Topic[];

  @Field(() => DateTimeScalar, { description: 'When the report was published.' })
  publishedAt!: Date;

  @Field(() => Tlp, { description: 'TLP marking: who may receive the report.' })
  tlp!: Tlp;

  @Field(() => SourceReliability, {
    nullable: true,
    description: 'Admiralty grading of the source (A–F). Authenticated members only.',
  })
  sourceReliability!: SourceReliability | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Admiralty grading of the information, 1 (confirmed) to 6 (cannot be judged). Authenticated members only.',
  })
  informationCredibility!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Where the information comes from. Only the originating organization, UN entities and sanctions bodies.',
  })
  sourceDescription!: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'Entries of the Security Council sanctions lists the report refers to (`QDi.`/`QDe.` ISIL/Al-Qaida, `TAi.`/`TAe.` Taliban). Each sanctions committee sees its own list, the Monitoring Team both, the originating organization all; others are denied.',
  })
  sanctionsReferences!: string[] | null;

  @Field(() => Int, { description: 'Revision number, 1 for the first version.' })
  revision!: number;

  @Field(() => DateTimeScalar, { description: 'When the current revision was written.' })
  updatedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When the report was retracted; a retracted report stays readable for the record, but is no longer current.' })
  retractedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the report was retracted.' })
  retractionReason!: string | null;

  @Field(() => RecordOrigin, {
    nullable: true,
    description: 'Set when this is a read-only copy of a record another instance of the network owns (a national node, the hub): that instance and the organization that wrote it. Null for records of this instance.',
  })
  origin!: RecordOrigin | null;

  titles!: { en: string | null; ru: string | null };
  authorOrgId!: string;
  /** The person who wrote the first revision; read only by Report.revisions (through its field rule). */
  authorSub!: string;
  tearlineOfId!: string | null;
  /** The STIX id and version the report was imported with (src/stix/import.ts); never a GraphQL field. */
  stixId!: string | null;
  stixModified!: Date | null;
  /** Read with the report on the read paths; absent on a report just written (then looked up). */
  countryCodes?: readonly string[];
  indicatorCodes?: readonly string[];
}

@ObjectType({ simpleResolvers: true, description: 'A page of reports the viewer may see.' })
export class ReportConnection extends Connection(Report, 'Report') {}
