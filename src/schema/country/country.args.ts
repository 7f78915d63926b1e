import { ArgsType, Field } from 'type-graphql';
import { DateTimeScalar } from '../common/scalars.js';

@ArgsType()
export class LatestValuesArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Read the values as they were known at this instant. Default: now.' })
  asOf?: Date | null;
}
