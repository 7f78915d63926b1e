import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { AlertLevel, Tlp } from '../common/enums.js';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';

export enum AlertRule {
  THRESHOLD = 'THRESHOLD',
  TREND = 'TREND',
}
registerEnumType(AlertRule, {
  name: 'AlertRule',
  description: 'Which rule raised an alert.',
  valuesConfig: {
    THRESHOLD: { description: "The value reached a watch, warning or critical threshold above the previous period's level." },
    TREND: { description: 'The value is far from its baseline: z-score over the previous 12 periods (2.5 watch, 3 warning, 4 critical).' },
  },
});

export enum AlertStatus {
  OPEN = 'OPEN',
  ACKNOWLEDGED = 'ACKNOWLEDGED',
}
registerEnumType(AlertStatus, {
  name: 'AlertStatus',
  description: 'Whether an analyst has acknowledged the alert.',
  valuesConfig: { OPEN: { description: 'Not yet acknowledged.' }, ACKNOWLEDGED: { description: 'Acknowledged by an analyst, with a note.' } },
});

@ObjectType({ simpleResolvers: true, description: 'The baseline a TREND alert compares the value with.' })
export class Baseline {
  @Field(() => Float, { description: 'Mean of the previous periods (up to 12).' })
  mean!: number;

  @Field(() => Float, { description: 'Their standard deviation (floored at 5 % of |mean|).' })
  standardDeviation!: number;

  @Field(() => Float, { description: '(value − mean) / standard deviation.' })
  zScore!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'An early-warning alert: an indicator crossed a threshold or broke its trend for a country and period. Marked with the most restrictive marking of the values behind it, and visible only to viewers who may see all of them.',
})
export class Alert {
  @Field(() => UuidScalar, { description: 'Alert id.' })
  id!: string;

  @Field(() => AlertLevel, { description: 'WATCH, WARNING or CRITICAL.' })
  level!: AlertLevel;

  @Field(() => AlertRule, { description: 'The rule that fired.' })
  rule!: AlertRule;

  @Field(() => Float, { description: "The value that raised it, in the indicator's unit." })
  value!: number;

  @Field(() => Float, { nullable: true, description: 'The threshold reached (THRESHOLD alerts).' })
  threshold!: number | null;

  @Field(() => Baseline, { nullable: true, description: 'The baseline broken (TREND alerts).' })
  baseline!: Baseline | null;

  @Field(() => Tlp, { description: 'The most restrictive marking of the values behind the alert.' })
  tlp!: Tlp;

  @Field(() => AlertStatus, { description: 'OPEN or ACKNOWLEDGED.' })
  status!: AlertStatus;

  @Field(() => DateTimeScalar, { description: 'When it was raised.' })
  raisedAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was acknowledged.' })
  acknowledgedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Organization that acknowledged it.' })
  acknowledgedByOrganizationId!: string | null;

  @Field(() => String, { nullable: true, description: 'The acknowledgement note.' })
  acknowledgementNote!: string | null;

  indicatorCode!: string;
  sourceOrgId!: string;
  countryIso3!: string;
  periodStart!: string;
  observationIds!: string[];
}

@ObjectType({ simpleResolvers: true, description: 'A page of alerts the viewer may see, newest first.' })
export class AlertConnection extends Connection(Alert, 'Alert') {}
