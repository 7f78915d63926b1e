import { encodeCursor } from '../../schema/common/cursor.js';
import { page, type Page } from '../../schema/common/connection.js';

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
