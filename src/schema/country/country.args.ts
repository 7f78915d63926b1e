import { Matches } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

@ArgsType()
export class LatestValuesArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Read the values as they were known at this instant. Default: now.' })
  asOf?: Date | null;

  @Field(() => String, { nullable: true, description: "Only this source organization's latest value (its id, e.g. `kaz-ct`). Default: the latest of any source; `bySource` gives each source's value of that period." })
  @Matches(/^[a-z0-9-]{2,40}$/, { message: 'source must be an organization id such as kaz-ct' })
  source?: string | null;
}
