import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

type Columns = Record<string, PgColumn | SQL | SQL.Aliased>;

/**
 * Long lists (a page of reports, a country's series) come back as one JSON value per row, built by
 * PostgreSQL and parsed by the driver's native JSON.parse. Decoding hundreds of rows cell by cell
 * through drizzle's column decoders was a fifth of a list request's CPU (bench/NOTES.md).
 *
 * `asJsonRow(columns)` selects the row as an object keyed like the drizzle row (`indicatorCode`, not
 * `indicator_code`); `readJsonRow(columns)` revives what JSON cannot carry: timestamps become Date, as
 * drizzle returns them. Dates (mode 'string'), numbers, enums, text arrays and nulls come back as drizzle
 * returns them already.
 */
export function asJsonRow(columns: Columns): SQL<Record<string, unknown>> {
  // The keys are this code's own property names, never input: inlined as literals.
  const pairs = Object.entries(columns).map(([name, column]) => sql`${sql.raw(`'${name}'`)}, ${column}`);
  return sql<Record<string, unknown>>`json_build_object(${sql.join(pairs, sql`, `)})`;
}

export function readJsonRow<T>(columns: Columns): (value: Record<string, unknown>) => T {
  const timestamps = Object.entries(columns)
    .filter(([, column]) => 'columnType' in column && column.columnType === 'PgTimestamp')
    .map(([name]) => name);
  return (value) => {
    for (const name of timestamps) {
      const at = value[name];
      if (typeof at === 'string') value[name] = new Date(at);
    }
    return value as T;
  };
}
