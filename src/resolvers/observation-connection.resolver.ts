import { FieldResolver, Resolver, Root } from 'type-graphql';
import { ObservationConnection, WithheldValue } from '../schema/observation/observation.type.js';

@Resolver(() => ObservationConnection)
export class ObservationConnectionResolver {
  @FieldResolver(() => [WithheldValue], {
    description:
      "The periods in this list's range (the whole list, not only this page; newest first, at most 500) with a value you may not see: \"not for you\" rather than \"not reported\". Listed only for indicators whose owner discloses it (Indicator.disclosesWithheld); for the others nothing is said, and an absent period may be either.",
  })
  async withheld(@Root() connection: ObservationConnection): Promise<WithheldValue[]> {
    return connection.loadWithheld ? connection.loadWithheld() : [];
  }
}
