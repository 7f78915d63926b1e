import { Field, Int, ObjectType } from 'type-graphql';
import { Lang, Tlp } from '../common/enums.js';
import { DateTimeScalar } from '../common/scalars.js';

@ObjectType({
  simpleResolvers: true,
  description:
    'One revision of a report, as it was written. A report lists the revisions you may read: the current one and each earlier one whose marking (TLP, with the report\'s grants) admits you — a report whose marking was lowered keeps its earlier, stricter revisions from its new readers. Numbers are the report\'s own (those of updateReport\'s expectedRevision), so a gap means revisions under a marking that does not admit you.',
})
export class ReportRevision {
  @Field(() => Int, { description: 'Revision number, 1 for the first version.' })
  revision!: number;

  @Field(() => DateTimeScalar, { description: 'When this revision was written.' })
  updatedAt!: Date;

  @Field(() => Tlp, { description: 'The marking the report had in this revision.' })
  tlp!: Tlp;

  @Field(() => String, { description: 'Summary as it was in this revision.' })
  summary!: string;

  @Field(() => String, { description: 'Full text as it was in this revision.' })
  body!: string;

  @Field(() => Lang, { description: 'Language of this revision.' })
  language!: Lang;

  @Field(() => String, {
    nullable: true,
    description: 'The person (token `sub`) who wrote this revision. The originating organization and auditors only.',
  })
  changedBy!: string | null;

  titles!: { en: string | null; ru: string | null };
  /** For the field rules: the report's originating organization. */
  authorOrgId!: string;
}
