import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Connection } from '../common/connection.js';
import { AlertLevel, Tlp } from '../common/enums.js';
import { DateTimeScalar, UuidScalar } from '../common/scalars.js';
import type { TriageSource } from './alert-triage.mapper.js';

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
  SUPERSEDED = 'SUPERSEDED',
}
registerEnumType(AlertStatus, {
  name: 'AlertStatus',
  description: "Whether the alert still holds, and whether your organization has acknowledged it (each organization triages on its own: `triage`).",
  valuesConfig: {
    OPEN: { description: "Holds; your organization's triage is NEW." },
    ACKNOWLEDGED: { description: "Holds; your organization's triage is past NEW (acknowledged, with a note)." },
    SUPERSEDED: {
      description:
        'No longer holds: a correction of its values (which you may see) or a change of the rules showed it. Kept for the record, left out of lists unless asked for.',
    },
  },
});

export enum AlertOrder {
  KNOWN_DESC = 'KNOWN_DESC',
  PERIOD_DESC = 'PERIOD_DESC',
}
registerEnumType(AlertOrder, {
  name: 'AlertOrder',
  description: 'Order of an alert list, newest first; ties broken by id.',
  valuesConfig: {
    KNOWN_DESC: { description: 'By when the condition became known (`knownAt`; default).' },
    PERIOD_DESC: { description: 'By the period the alert concerns.' },
  },
});

@ObjectType({ simpleResolvers: true, description: 'The baseline a TREND alert compares the value with.' })
export class Baseline {
  @Field(() => Float, { description: 'Mean of the previous periods (up to 12).' })
  mean!: number;

  @Field(() => Float, { description: 'Their standard deviation (floored at 5 % of |mean|).' })
  standardDeviation!: number;

  @Field(() => Float, { description: '(value − mean) / standard deviation.' })
  zScore!: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'For counts: the probability of a count at least this bad under the baseline (Poisson, or negative binomial when the baseline varies more); the level follows it. Null for measures, whose level follows zScore.',
  })
  tailProbability!: number | null;
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

  @Field(() => Float, { nullable: true, description: "The threshold reached (THRESHOLD alerts), of the country's thresholds in force, on their basis: a rate per 100,000 for PER_100K indicators (compare with `rate`)." })
  threshold!: number | null;

  @Field(() => Float, { nullable: true, description: 'The value per 100,000 population the thresholds were compared with (indicators judged PER_100K); null otherwise.' })
  rate!: number | null;

  @Field(() => Baseline, { nullable: true, description: 'The baseline broken (TREND alerts).' })
  baseline!: Baseline | null;

  @Field(() => Tlp, { description: 'The most restrictive marking of the values behind the alert.' })
  tlp!: Tlp;

  @Field(() => AlertStatus, { description: 'OPEN or ACKNOWLEDGED (by your organization), or SUPERSEDED (as you may know it).' })
  status!: AlertStatus;

  @Field(() => DateTimeScalar, {
    description: 'When the condition became known: the latest recorded time of the values behind it. Lists are ordered by it.',
  })
  knownAt!: Date;

  @Field(() => Boolean, {
    description:
      'True for back-filled history: the period had ended more than the server\'s horizon (ALERT_BACKFILL_HORIZON_DAYS) before its values were recorded. Kept, never notified, left out of lists unless asked for.',
  })
  historical!: boolean;

  @Field(() => DateTimeScalar, { nullable: true, description: 'When it was superseded, if it is (status SUPERSEDED).' })
  supersededAt!: Date | null;

  @Field(() => DateTimeScalar, { description: 'When the alert was written (history recomputed or imported late is written late: see knownAt).' })
  raisedAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When your organization acknowledged it.',
    deprecationReason: 'Triage is per organization: use `triage { state notes }` (this is your organization\'s acknowledgement only).',
  })
  acknowledgedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Your organization, if it acknowledged the alert.',
    deprecationReason: 'Triage is per organization: use `triage { state }` (this is your organization\'s acknowledgement only).',
  })
  acknowledgedByOrganizationId!: string | null;

  indicatorCode!: string;
  sourceOrgId!: string;
  countryIso3!: string;
  periodStart!: string;
  observationIds!: string[];
  supersededByObservationId!: string | null;
  /** The viewer's own organization's triage, as read with the alert (no state: NEW). */
  ownTriage!: Omit<TriageSource, 'alertId' | 'organizationId'>;
}

@ObjectType({ simpleResolvers: true, description: 'A page of alerts the viewer may see, newest first.' })
export class AlertConnection extends Connection(Alert, 'Alert') {}
