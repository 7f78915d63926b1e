import { encodeCursor } from '../../schema/common/cursor.js';
import { sql, type SQL } from 'drizzle-orm';
import { page, type Page } from '../../schema/common/connection.js';
import { textArray } from './sql-fragments.js';

/**
 * Turns rows fetched with `limit first + 1` into a Relay page: the extra row only says a next page exists.
 */
export function toPage<R, T>(
  rows: readonly R[],
  first: number,
  hadCursor: boolean,
  cursor: { tag: string; key: (row: R) => (string | number)[] },
  map: (row: R) => T,
  totalCount: () => Promise<number>,
): Page<T> {
  const pageRows = rows.slice(0, first);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(cursor.tag, cursor.key(row)), node: map(row) }));
  const pageInfo = {
    hasNextPage: rows.length > first,
    hasPreviousPage: hadCursor,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  };
  return page(edges, pageInfo, totalCount);
}

/** Groups rows by a key, keeping every requested key (empty lists included) in request order. */
export function groupBy<R>(keys: readonly string[], rows: readonly R[], keyOf: (row: R) => string): Map<string, R[]> {
  const groups = new Map<string, R[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return groups;
}

/**
 * One page per scope key (a country's reports, an indicator's observations) from rows fetched for all
 * keys at once. Every page's totalCount shares one grouped count statement, run only if some page's
 * totalCount is selected.
 */
export function scopedPages<R>(
  keys: readonly string[],
  rows: readonly R[],
  keyOf: (row: R) => string,
  page: { first: number; hadCursor: boolean; cursor: { tag: string; key: (row: R) => (string | number)[] } },
  countAll: () => Promise<Record<string, number>>,
): Map<string, Page<R>> {
  let counts: Promise<Record<string, number>> | undefined;
  const countOf = async (key: string) => (await (counts ??= countAll()))[key] ?? 0;
  return new Map(
    [...groupBy(keys, rows, keyOf)].map(([key, group]) => [
      key,
      toPage(group, page.first, page.hadCursor, page.cursor, (r) => r, () => countOf(key)),
    ]),
  );
}

/**
 * The scope keys of a nested list (countries, authors, indicators) as a row source, `scope(key)`: a
 * page query joined LATERAL to it runs once per key with its own ORDER BY … LIMIT, so each key reads only
 * its first+1 rows off an index, in one statement for all keys. (A window function over all the keys'
 * rows had to read and rank every visible row of every key first.)
 */
export function scopeKeys(keys: readonly string[]): SQL {
  return sql`unnest(${textArray(keys)}) as scope(key)`;
}

/** The current key inside a page query joined to scopeKeys(). */
export const scopeKey = sql<string>`scope.key`;

/** The fields of an aliased subquery, named as in `columns`, to select them from the outer query. */
export function fieldsOf<C extends object>(subquery: object, columns: C): C {
  const fields = subquery as Record<string, unknown>;
  return Object.fromEntries(Object.keys(columns).map((name) => [name, fields[name]])) as C;
}
