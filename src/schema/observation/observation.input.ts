import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { Alert } from '../alert/alert.type.js';
import { SourceReliability, Tlp } from '../common/enums.js';
import { PeriodScalar, UuidScalar } from '../common/scalars.js';
import { Observation, ObservationStatus } from './observation.type.js';

@InputType({ description: "One indicator value. A value for an indicator, country and period that already has one is a revision: the old value stays readable with `asOf`." })
export class ObservationInput {
  @Field(() => String, { description: 'Indicator code, e.g. `OP-01`.' })
  indicator!: string;

  @Field(() => String, { description: 'Country (ISO alpha-3). A member-state agency records for its own country only.' })
  country!: string;

  @Field(() => PeriodScalar, { description: "Period in the indicator's periodicity: `2024-03`, `2024-Q1` or `2024`. Not after the current one (UTC), unless the server allows forecasts (MAX_FUTURE_PERIODS)." })
  period!: string;

  @Field(() => Float, { description: "The value, in the indicator's unit and within its valid range." })
  value!: number;

  @Field(() => Tlp, { description: 'Marking of the value (TLP:CLEAR needs org-admin).' })
  tlp!: Tlp;

  @Field(() => SourceReliability, { description: 'Admiralty grading of the source.' })
  sourceReliability!: SourceReliability;

  @Field(() => Int, { description: 'Admiralty grading of the information (1–6).' })
  informationCredibility!: number;

  @Field(() => String, { nullable: true, description: 'A remark (readable by your organization and UN entities).' })
  note?: string | null;

  @Field(() => ObservationStatus, { nullable: true, description: 'How settled the figure is (default FINAL).' })
  status?: ObservationStatus | null;

  @Field(() => UuidScalar, {
    nullable: true,
    description: 'The report the value rests on (its source document): one you may see. Readers see the link only if they may see that report.',
  })
  sourceReport?: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'What recordObservations wrote and the alerts it raised.' })
export class RecordObservationsResult {
  @Field(() => [Observation], { description: 'The values recorded, in input order.' })
  observations!: Observation[];

  @Field(() => [Alert], { description: 'Alerts raised by these values.' })
  alerts!: Alert[];

  @Field(() => Boolean, { description: 'True when the idempotency key had already been used: this is the earlier answer and nothing was written.' })
  replayed!: boolean;
}
