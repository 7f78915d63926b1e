import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { isObjectType, type GraphQLSchema } from 'graphql';

@ObjectType({ simpleResolvers: true, description: 'Relay page information.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'True when another page follows `endCursor`.' })
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when this page was requested with `after` (a page precedes it).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null on an empty page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * What a query function returns. totalCount is a getter, so the count statement runs only when the
 * client selects the field (graphql reads the property only then).
 */
export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

export function page<T>(edges: Edge<T>[], pageInfo: PageInfo, count: () => Promise<number>): Page<T> {
  return {
    edges,
    pageInfo,
    get totalCount() {
      return count();
    },
  };
}

/** A Relay connection type for one node type: `XConnection { edges { cursor node } pageInfo totalCount }`. */
export function Connection<T extends object>(nodeType: ClassType<T>, nodeName: string) {
  @ObjectType(`${nodeName}Edge`, { simpleResolvers: true, description: `One ${nodeName} in a page, with its cursor.` })
  class EdgeType {
    @Field(() => String, { description: 'Opaque cursor of this edge; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${nodeName}.` })
    node!: T;
  }

  // Registered only so that XConnection subclasses inherit its fields; never emitted, as nothing returns it.
  @ObjectType(`${nodeName}ConnectionFields`, { simpleResolvers: true })
  abstract class ConnectionType {
    @Field(() => [EdgeType], { description: 'The page of results.' })
    edges!: EdgeType[];

    @Field(() => PageInfo, { description: 'Where this page stands in the whole list.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of records in the whole list that the viewer may see, all pages together.' })
    totalCount!: number;
  }
  return ConnectionType;
}

/**
 * `totalCount` is a promise read off a getter (see `page`). graphql-js awaits a promise-valued property;
 * graphql-jit reads a field without a resolver as a plain value, synchronously. An explicit resolver on
 * every connection's totalCount makes the laziness the schema's own, the same under both executors.
 */
export function resolveTotalCounts(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || !type.name.endsWith('Connection')) continue;
    const field = type.getFields().totalCount;
    if (field && !field.resolve) field.resolve = (source: Page<unknown>) => source.totalCount;
  }
  return schema;
}
