import { ArrayMaxSize, Length, Matches, ValidateNested } from 'class-validator';
import { DateTimeScalar } from '../common/scalars.js';
import { ArgsType, Field, Float, InputType } from 'type-graphql';
import { Periodicity, Topic } from '../common/enums.js';
import { ThresholdBasis } from './indicator.type.js';

@InputType({ description: 'Conditions an indicator must meet; all given ones apply.' })
export class IndicatorFilter {
  @Field(() => Topic, { nullable: true, description: 'Indicators of this theme.' })
  theme?: Topic | null;

  @Field(() => Periodicity, { nullable: true, description: 'Indicators measured this often.' })
  periodicity?: Periodicity | null;
}

@ArgsType()
export class IndicatorsArgs {
  @Field(() => IndicatorFilter, { nullable: true, description: 'Conditions on the indicators listed.' })
  @ValidateNested()
  filter?: IndicatorFilter | null;
}

@ArgsType()
export class IndicatorLatestValuesArgs {
  @Field(() => [String], { nullable: true, description: 'Only these countries (ISO alpha-3); default: all.' })
  @ArrayMaxSize(50)
  @Matches(/^[A-Z]{3}$/, { each: true, message: 'countries must be ISO 3166-1 alpha-3 codes such as TJK' })
  countries?: string[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Read the values as they were known at this instant. Default: now.' })
  asOf?: Date | null;

  @Field(() => String, { nullable: true, description: "Only this source organization's latest value (its id, e.g. `kaz-ct`). Default: the latest of any source; `bySource` gives each source's value of that period." })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'source must be an organization id such as kaz-ct' })
  source?: string | null;
}

@ArgsType()
export class IndicatorDisclosureArgs {
  @Field(() => String, { description: 'Indicator code, e.g. `VE-01`.' })
  @Matches(/^[A-Z0-9-]{2,16}$/, { message: 'indicator must be an indicator code such as OP-01' })
  indicator!: string;

  @Field(() => Boolean, { description: 'True: tell readers which periods hold values they may not see; false: say nothing.' })
  disclosesWithheld!: boolean;

  @Field(() => String, { description: 'Why (kept in the audit entry), 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'reason must be 1 to 2000 characters' })
  reason!: string;
}

const INDICATOR_CODE = /^[A-Z0-9-]{2,16}$/;
const ISO3_CODE = /^[A-Z]{3}$/;

/** What both threshold writes take: the indicator and its three levels, in its worse direction. */
@ArgsType()
class ThresholdLevelsArgs {
  @Field(() => String, { description: 'Indicator code, e.g. `VE-01`.' })
  @Matches(INDICATOR_CODE, { message: 'indicator must be an indicator code such as OP-01' })
  indicator!: string;

  @Field(() => Float, { description: "Watch threshold, on the indicator's basis." })
  watch!: number;

  @Field(() => Float, { description: 'Warning threshold, past watch in the worse direction.' })
  warning!: number;

  @Field(() => Float, { description: 'Critical threshold, past warning in the worse direction.' })
  critical!: number;
}

@ArgsType()
export class IndicatorThresholdsArgs extends ThresholdLevelsArgs {
  @Field(() => ThresholdBasis, { description: "What every country's thresholds of this indicator are compared with (PER_100K: counts only). Countries' own thresholds are on the same basis: change them too when the basis changes." })
  basis!: ThresholdBasis;

  @Field(() => String, { description: 'Why (kept in the audit entry), 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'reason must be 1 to 2000 characters' })
  reason!: string;
}

@ArgsType()
export class CountryThresholdsArgs extends ThresholdLevelsArgs {
  @Field(() => String, { description: 'Country (ISO alpha-3) the thresholds are for; the indicator must apply to it.' })
  @Matches(ISO3_CODE, { message: 'country must be an ISO alpha-3 code such as AFG' })
  country!: string;

  @Field(() => String, { description: 'Why this country differs from the defaults (shown to readers with the thresholds), 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'note must be 1 to 2000 characters' })
  note!: string;
}

@ArgsType()
export class RemoveCountryThresholdsArgs {
  @Field(() => String, { description: 'Indicator code.' })
  @Matches(INDICATOR_CODE, { message: 'indicator must be an indicator code such as OP-01' })
  indicator!: string;

  @Field(() => String, { description: 'Country (ISO alpha-3) whose own thresholds are removed: the defaults hold again.' })
  @Matches(ISO3_CODE, { message: 'country must be an ISO alpha-3 code such as AFG' })
  country!: string;

  @Field(() => String, { description: 'Why (kept in the audit entry), 1 to 2000 characters.' })
  @Length(1, 2000, { message: 'reason must be 1 to 2000 characters' })
  reason!: string;
}

@ArgsType()
export class ThresholdsForArgs {
  @Field(() => String, { description: 'Country (ISO alpha-3).' })
  @Matches(ISO3_CODE, { message: 'country must be an ISO alpha-3 code such as AFG' })
  country!: string;
}
