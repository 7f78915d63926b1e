import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

// SQL pieces the query modules share. Nothing here imports the GraphQL layer, so a module the seed and the
// migrations load (alert-writes.ts) can use them too.

/**
 * Sort keys that match the indexes drizzle-kit generates (`DESC NULLS LAST`). A plain `desc` means NULLS
 * FIRST in PostgreSQL, which no index provides: the planner then reads every row and sorts. The columns
 * are NOT NULL, so the null order changes no result, only the plan.
 */
export const descending = (column: AnyColumn) => sql`${column} desc nulls last`;
/** The same index read backwards. */
export const ascending = (column: AnyColumn) => sql`${column} asc nulls first`;

/** A text[] of values, each a bound parameter (for unnest() row sources and = any()). */
export const textArray = (values: readonly string[]): SQL => sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`;
