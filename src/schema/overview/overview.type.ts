import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Topic } from '../common/enums.js';
import { Indicator } from '../indicator/indicator.type.js';
import { Observation } from '../observation/observation.type.js';
import { Report } from '../report/report.type.js';

@ObjectType({ simpleResolvers: true, description: 'Open alerts by level: alerts that hold, that your organization has not dismissed or closed.' })
export class AlertCounts {
  @Field(() => Int, { description: 'WATCH alerts.' })
  watch!: number;

  @Field(() => Int, { description: 'WARNING alerts.' })
  warning!: number;

  @Field(() => Int, { description: 'CRITICAL alerts.' })
  critical!: number;
}

@ObjectType({
  simpleResolvers: true,
  description: "One source's series of an indicator for a country: its latest value you may see, and the values it is compared with.",
})
export class SeriesOverview {
  @Field(() => Observation, { description: "The latest value you may see (its `level` is the series' current level)." })
  current!: Observation;

  @Field(() => Observation, { nullable: true, description: 'The value of the period before, from the same source; null if there is none you may see.' })
  previous!: Observation | null;

  @Field(() => Observation, { nullable: true, description: 'The value of the same period a year before, from the same source; null if there is none you may see.' })
  yearBefore!: Observation | null;

  @Field(() => Float, { nullable: true, description: 'current.value − previous.value.' })
  changeFromPrevious!: number | null;

  @Field(() => Float, { nullable: true, description: 'current.value − yearBefore.value.' })
  changeFromYearBefore!: number | null;
}

@ObjectType({ simpleResolvers: true, description: "An indicator's series in the overview, one per country and source." })
export class IndicatorOverview {
  @Field(() => Indicator, { description: 'The indicator.' })
  indicator!: Indicator;

  @Field(() => [SeriesOverview], { description: 'Its series with a value you may see, by country, then source.' })
  series!: SeriesOverview[];
}

@ObjectType({ simpleResolvers: true, description: "A theme's indicators in the overview." })
export class ThemeOverview {
  @Field(() => Topic, { description: 'The theme.' })
  theme!: Topic;

  @Field(() => [IndicatorOverview], { description: 'The indicators of the theme, by code.' })
  indicators!: IndicatorOverview[];
}

@ObjectType({ simpleResolvers: true, description: 'The newest reports of a topic.' })
export class TopicReports {
  @Field(() => Topic, { description: 'The topic.' })
  topic!: Topic;

  @Field(() => [Report], { description: 'Its newest reports you may see, newest first (retracted ones left out).' })
  reports!: Report[];
}

@ObjectType({
  simpleResolvers: true,
  description:
    'What an analyst opens first, for a country or for the region: per theme and indicator the current level of each source, with the change against the period before and the same period a year before; the open alerts by level; the newest reports per topic. All under your access rules, in a fixed number of statements.',
})
export class Overview {
  @Field(() => [ThemeOverview], { description: 'Per theme, its indicators and their series.' })
  themes!: ThemeOverview[];

  @Field(() => AlertCounts, { description: 'Open alerts by level.' })
  openAlerts!: AlertCounts;

  @Field(() => [TopicReports], { description: 'The newest reports per topic.' })
  latestReports!: TopicReports[];

  countryIso3!: string | null;
}
