import { IsInt, Length, Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, Float, Int } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

@ArgsType()
export class LatestValuesArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Read the values as they were known at this instant. Default: now.' })
  asOf?: Date | null;

  @Field(() => String, { nullable: true, description: "Only this source organization's latest value (its id, e.g. `kaz-ct`). Default: the latest of any source; `bySource` gives each source's value of that period." })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'source must be an organization id such as kaz-ct' })
  source?: string | null;
}

@ArgsType()
export class PopulationArgs {
  @Field(() => String, { description: 'Country (ISO alpha-3).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO alpha-3 code such as KAZ' })
  country!: string;

  @Field(() => Int, { description: 'The year the figure is for (1950 to 2100).' })
  @Min(1950, { message: 'year must be from 1950 to 2100' })
  @Max(2100, { message: 'year must be from 1950 to 2100' })
  year!: number;

  @Field(() => Float, { description: 'Number of inhabitants: a whole number from 1 to 10,000,000,000.' })
  @IsInt({ message: 'population must be a whole number' })
  @Min(1, { message: 'population must be from 1 to 10,000,000,000' })
  @Max(10_000_000_000, { message: 'population must be from 1 to 10,000,000,000' })
  population!: number;

  @Field(() => String, { description: 'Where the figure comes from (publisher, edition), 1 to 500 characters.' })
  @Length(1, 500, { message: 'source must be 1 to 500 characters' })
  source!: string;
}
