import { Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';
import { SourceReliability } from '../common/enums.js';
import { PageArgs } from '../common/page.args.js';
import { DateTimeScalar, PeriodScalar } from '../common/scalars.js';

@ArgsType()
export class ObservationRangeArgs extends PageArgs {
  @Field(() => PeriodScalar, { nullable: true, description: 'First period included (e.g. `2024-01`).' })
  from?: string | null;

  @Field(() => PeriodScalar, { nullable: true, description: 'Last period included (e.g. `2024-12`).' })
  to?: string | null;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'Read the values as they were known at this instant (the revisions recorded by then). Default: now.',
  })
  asOf?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Only the values of this source organization (its id, e.g. `kaz-ct`). Default: every source's value, side by side (a series is indicator × country × source).",
  })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'source must be an organization id such as kaz-ct' })
  source?: string | null;

  @Field(() => SourceReliability, {
    nullable: true,
    description: 'Only values whose source is graded this reliable or better (`B`: A or B). Members only, as the grading is.',
  })
  minReliability?: SourceReliability | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Only values whose information is graded this credible or better, 1 (confirmed) to 6 (`2`: 1 or 2). Members only, as the grading is.',
  })
  @Min(1, { message: 'minCredibility must be 1 to 6' })
  @Max(6, { message: 'minCredibility must be 1 to 6' })
  minCredibility?: number | null;
}

@ArgsType()
export class BySourceArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Read the values as they were known at this instant. Default: now.' })
  asOf?: Date | null;
}

@ArgsType()
export class IndicatorObservationsArgs extends ObservationRangeArgs {
  @Field(() => String, { nullable: true, description: 'Only this country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;
}

@ArgsType()
export class CountryObservationsArgs extends ObservationRangeArgs {
  @Field(() => String, { nullable: true, description: 'Only this indicator (its code, e.g. `OP-01`).' })
  @Matches(/^[A-Z0-9-]{2,16}$/, { message: 'indicator must be an indicator code such as OP-01' })
  indicator?: string | null;
}
