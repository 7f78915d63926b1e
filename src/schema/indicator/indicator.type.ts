import { Directive, Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { Periodicity, Topic, WorseDirection } from '../common/enums.js';
import type { Localized } from '../common/localized.js';

export enum IndicatorScale {
  COUNT = 'COUNT',
  MEASURE = 'MEASURE',
}
registerEnumType(IndicatorScale, {
  name: 'IndicatorScale',
  description: 'What kind of number an indicator is.',
  valuesConfig: {
    COUNT: { description: 'Whole events per period (incidents, cases, items): the TREND rule judges them by a count model.' },
    MEASURE: { description: 'Anything else (a share, an index, a rate): the TREND rule judges it by z-score.' },
  },
});

export enum ThresholdBasis {
  ABSOLUTE = 'ABSOLUTE',
  PER_100K = 'PER_100K',
}
registerEnumType(ThresholdBasis, {
  name: 'ThresholdBasis',
  description: 'What thresholds are compared with.',
  valuesConfig: {
    ABSOLUTE: { description: 'The value itself, in the indicator\'s unit.' },
    PER_100K: {
      description:
        "The value per 100,000 of the country's population in the period's year (`Observation.rate`), for counts, so a level means the same in a small state as in a large one. The figure is that year's, else the nearest year before, else the earliest after (`Country.populations`).",
    },
  },
});

@ObjectType({ simpleResolvers: true, description: "Levels at which an indicator's value raises an alert, in its worse direction: the indicator's defaults, or a country's own." })
export class Thresholds {
  @Field(() => Float, { description: 'Value (on the basis below) from which the situation is watched.' })
  watch!: number;

  @Field(() => Float, { description: 'Value (on the basis below) from which a warning is raised.' })
  warning!: number;

  @Field(() => Float, { description: 'Value (on the basis below) from which the situation is critical.' })
  critical!: number;

  @Field(() => ThresholdBasis, { description: "What they are compared with: the value, or its rate per 100,000 population (the indicator's choice, the same for every country)." })
  basis!: ThresholdBasis;

  @Field(() => String, { nullable: true, description: "The country (ISO alpha-3) whose own thresholds these are; null: the indicator's defaults." })
  country!: string | null;

  @Field(() => String, { nullable: true, description: "Why the country's thresholds differ from the defaults; null for the defaults." })
  note!: string | null;
}

@ObjectType({ simpleResolvers: true, description: 'An early-warning indicator: a quantity measured per country and period.' })
@Directive('@key(fields: "code")')
export class Indicator {
  @Field(() => String, { description: 'Stable code, the key (e.g. `OP-01`).' })
  code!: string;

  @Field(() => Topic, { description: 'Theme the indicator belongs to.' })
  theme!: Topic;

  @Field(() => Periodicity, { description: 'How often it is measured; its periods are written accordingly.' })
  periodicity!: Periodicity;

  @Field(() => WorseDirection, { description: 'Whether higher or lower values are worse.' })
  worseDirection!: WorseDirection;

  @Field(() => Thresholds, { description: "Watch, warning and critical levels: the defaults, for countries without their own (`countryThresholds`, `thresholdsFor`)." })
  thresholds!: Thresholds;

  @Field(() => Float, { nullable: true, description: 'Smallest valid value, if bounded.' })
  minValue!: number | null;

  @Field(() => Float, { nullable: true, description: 'Largest valid value, if bounded.' })
  maxValue!: number | null;

  @Field(() => IndicatorScale, { description: 'COUNT (whole events per period: the TREND rule judges them by a count model) or MEASURE (z-score).' })
  scale!: IndicatorScale;

  @Field(() => Boolean, { description: 'Whether TREND alerts may fire below the watch level (the owner\'s opt-out; false: they need it).' })
  trendBelowWatch!: boolean;

  @Field(() => Boolean, {
    description:
      'Whether readers are told that values exist which they may not see (`withheld` on lists, `newerWithheld` on latest values). False, the default: nothing is said. Set by `network-admin` (setIndicatorDisclosure).',
  })
  disclosesWithheld!: boolean;

  /** Resolved by IndicatorResolver in the language asked for, as are name and description. */
  names!: Localized;
  descriptions!: Localized;
  units!: Localized;
  methodologies!: Localized;
}
