import { ArgsType, Field } from 'type-graphql';
import { Lang } from './enums.js';

@ArgsType()
export class LangArgs {
  @Field(() => Lang, { nullable: true, description: 'Language wanted; default: Accept-Language, then English.' })
  lang?: Lang | null;
}
