import { Matches, Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';

@ArgsType()
export class OverviewArgs {
  @Field(() => String, { nullable: true, description: 'A country (ISO alpha-3); without it, the region (every country of the network).' })
  @Matches(/^[A-Z]{3}$/, { message: 'country must be an ISO 3166-1 alpha-3 code such as TJK' })
  country?: string | null;

  @Field(() => Int, { defaultValue: 3, description: 'How many reports per topic, 1 to 10.' })
  @Min(1, { message: 'reportsPerTopic must be 1 to 10' })
  @Max(10, { message: 'reportsPerTopic must be 1 to 10' })
  reportsPerTopic!: number;
}
