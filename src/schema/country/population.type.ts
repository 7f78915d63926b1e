import { Field, Float, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: "A country's population in a year, with where the figure comes from: what rates per 100,000 divide by." })
export class Population {
  @Field(() => Int, { description: 'The year the figure is for.' })
  year!: number;

  @Field(() => Float, { description: 'Number of inhabitants (a Float: GraphQL Int stops at 2^31).' })
  population!: number;

  @Field(() => String, { description: 'Where the figure comes from (publisher, edition).' })
  source!: string;
}
