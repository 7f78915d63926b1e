import { Field, ObjectType } from 'type-graphql';
import { AlertRecount } from '../alert/alert-recount.type.js';
import { Country } from './country.type.js';
import { Population } from './population.type.js';

@ObjectType({ simpleResolvers: true, description: "A country's population figure recorded, and what that did to the alerts of its series judged per 100,000." })
export class PopulationChange {
  @Field(() => Country, { description: 'The country.' })
  country!: Country;

  @Field(() => Population, { description: 'The figure as recorded.' })
  population!: Population;

  @Field(() => AlertRecount, { description: "The alerts of the country's PER_100K series, re-evaluated in the same transaction." })
  alerts!: AlertRecount;
}
