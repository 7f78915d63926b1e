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

@ObjectType({ simpleResolvers: true, description: "Levels at which an indicator's value raises an alert, in its worse direction." })
export class Thresholds {
  @Field(() => Float, { description: 'Value from which the situation is watched.' })
  watch!: number;

  @Field(() => Float, { description: 'Value from which a warning is raised.' })
  warning!: number;

  @Field(() => Float, { description: 'Value from which the situation is critical.' })
  critical!: number;
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

  @Field(() => Thresholds, { description: 'Watch, warning and critical levels.' })
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
