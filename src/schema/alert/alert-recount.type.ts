import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'What re-evaluating the alerts of the affected series did (a threshold or population change): none is announced to subscribers.' })
export class AlertRecount {
  @Field(() => Int, { description: 'Alerts that still hold: kept, with their ids, times and triage.' })
  kept!: number;

  @Field(() => Int, { description: 'Alerts that no longer hold: kept, marked SUPERSEDED (by no value revision: the thresholds changed).' })
  superseded!: number;

  @Field(() => Int, { description: 'Conditions no standing alert expressed: raised.' })
  raised!: number;
}
