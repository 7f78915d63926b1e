import { Field, ObjectType } from 'type-graphql';

@ObjectType({ simpleResolvers: true, description: 'Where a read-only copy of a record comes from: the instance of the network that owns it (issue 17).' })
export class RecordOrigin {
  @Field(() => String, { description: "The INSTANCE_ID of the instance that owns the record: only it changes the record; this instance holds a copy." })
  instance!: string;

  @Field(() => String, { description: 'The id of the organization that wrote the record (its author or source).' })
  organization!: string;
}

/** The origin of a row: null for our own records (origin_instance_id null). */
export const originOf = (originInstanceId: string | null, organization: string): RecordOrigin | null =>
  originInstanceId ? Object.assign(new RecordOrigin(), { instance: originInstanceId, organization }) : null;
