import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { AlertLevel, SourceReliability, Tlp } from '../common/enums.js';
import { RecordOrigin } from '../common/record-origin.type.js';
import { DateTimeScalar, LocalDateScalar, PeriodScalar, UuidScalar } from '../common/scalars.js';

export enum ObservationStatus {
  PROVISIONAL = 'PROVISIONAL',
  ESTIMATED = 'ESTIMATED',
  FINAL = 'FINAL',
}
registerEnumType(ObservationStatus, {
  name: 'ObservationStatus',
  description: 'How settled a figure is.',
  valuesConfig: {
    PROVISIONAL: { description: 'A first figure, expected to be revised.' },
    ESTIMATED: { description: 'An estimate (modelled or extrapolated), not a count or measurement.' },
    FINAL: { description: 'The settled figure (the default when a writer does not say).' },
  },
});

@ObjectType({
  simpleResolvers: true,
  description:
    'The value of an indicator for a country and period. Corrections are kept as revisions: each revision is an observation of its own, and lists show the latest revision you may see that was recorded by `asOf`.',
})
export class Observation {
  @Field(() => UuidScalar, { description: 'Id of this revision.' })
  id!: string;

  @Field(() => LocalDateScalar, { description: 'First day of the period.' })
  periodStart!: string;

  @Field(() => PeriodScalar, { description: "Period measured, in the indicator's notation (`2024-03`, `2024-Q1`, `2024`)." })
  period!: string;

  @Field(() => Float, { description: "The value, in the indicator's unit." })
  value!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      "For counts: the value per 100,000 of the country's population in the period's year (that year's figure, else the nearest before, else the earliest after: `Country.populations`), comparable across states. Null for measures and where the country has no population figure.",
  })
  rate!: number | null;

  @Field(() => AlertLevel, { description: "Where the value stands against the thresholds of its country (the country's own, else the indicator's defaults), on their basis (the value or its rate)." })
  level!: AlertLevel;

  @Field(() => Tlp, { description: 'TLP marking of this value.' })
  tlp!: Tlp;

  @Field(() => SourceReliability, { nullable: true, description: 'Admiralty grading of the source (A–F). Authenticated members only.' })
  sourceReliability!: SourceReliability | null;

  @Field(() => Int, { nullable: true, description: 'Admiralty grading of the information (1–6). Authenticated members only.' })
  informationCredibility!: number | null;

  @Field(() => String, { nullable: true, description: 'Remark of the source. The originating organization and UN entities only.' })
  note!: string | null;

  @Field(() => Int, { description: 'Revision number of this value for its indicator, country and period, counted over the revisions you may see; 1 for the first.' })
  revision!: number;

  @Field(() => DateTimeScalar, { description: 'When this revision was recorded.' })
  recordedAt!: Date;

  @Field(() => RecordOrigin, {
    nullable: true,
    description: 'Set when this is a read-only copy of a record another instance of the network owns (a national node, the hub): that instance and the organization that wrote it. Null for records of this instance.',
  })
  origin!: RecordOrigin | null;

  @Field(() => ObservationStatus, { description: 'How settled the figure is: PROVISIONAL, ESTIMATED or FINAL.' })
  status!: ObservationStatus;

  @Field(() => String, { nullable: true, description: 'The person (token `sub`) who recorded this revision. The originating organization and auditors only.' })
  recordedBy!: string | null;


  sourceReportId!: string | null;
  supersededAt!: Date | null;
  /** Set by latestValues: the instant and source it read at (newerWithheld answers only there). */
  latestOf?: { asOf?: Date | null; source?: string | null };

  indicatorCode!: string;
  countryIso3!: string;
  sourceOrgId!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'A period of a series for which a value exists that you may not see (only for indicators whose owner discloses it).',
})
export class WithheldValue {
  @Field(() => PeriodScalar, { description: 'The period.' })
  period!: string;

  indicatorCode!: string;
  countryIso3!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A page of observations the viewer may see.' })
export class ObservationConnection extends Connection(Observation, 'Observation') {
  /** Reads the list's withheld periods (ObservationConnection.withheld), only if the client asks. */
  loadWithheld?: () => Promise<WithheldValue[]>;
}
