import { Field, ObjectType } from 'type-graphql';
import { AlertRecount } from '../alert/alert-recount.type.js';
import { Indicator } from './indicator.type.js';

@ObjectType({ simpleResolvers: true, description: "An indicator's thresholds changed, and what that did to the alerts of its series." })
export class ThresholdsChange {
  @Field(() => Indicator, { description: 'The indicator, with its thresholds as they now are.' })
  indicator!: Indicator;

  @Field(() => AlertRecount, { description: 'The alerts of the affected series, re-evaluated in the same transaction.' })
  alerts!: AlertRecount;
}
