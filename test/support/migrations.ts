import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

const folders: string[] = [];
/** Removes the migration folders made by migrationsBefore (call in afterAll). */
export const removeMigrationCopies = () => folders.splice(0).forEach((f) => rmSync(f, { recursive: true, force: true }));

/**
 * A copy of the committed migrations up to (not including) the one tagged `before`, given whole
 * (`0007_values_per_source`) or by its name alone (`alert_triage`: found whatever number it is given when
 * branches' migrations are renumbered on merge).
 */
export function migrationsBefore(before: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-migrations-'));
  folders.push(dir);
  cpSync('drizzle', dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === before || e.tag.replace(/^\d+_/, '') === before);
  if (at <= 0) throw new Error(`no migration tagged ${before} after the first`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

/**
 * The smallest reference rows the schema of the moment accepts: country KAZ, indicator T-01 and the given
 * organizations, every NOT NULL column without a default filled with a value of its type.
 */
export async function insertMinimalReference(client: PGlite, organizationIds: readonly string[]): Promise<void> {
  for (const table of ['countries', 'organizations', 'indicators']) {
    const cols = (await client.query<{ column_name: string; data_type: string; udt_name: string }>(
      `select column_name, data_type, udt_name from information_schema.columns where table_name = $1 and is_nullable = 'NO' and column_default is null`,
      [table],
    )).rows;
    const values = await Promise.all(
      cols.map(async (c) => {
        if (c.column_name === 'iso3' || c.column_name === 'country_iso3') return `'KAZ'`;
        if (c.column_name === 'iso2') return `'KZ'`;
        if (c.column_name === 'code') return `'T-01'`;
        if (c.data_type === 'USER-DEFINED') {
          const label = (await client.query<{ enumlabel: string }>(`select enumlabel from pg_enum e join pg_type t on t.oid = e.enumtypid where t.typname = $1 order by e.enumsortorder limit 1`, [c.udt_name])).rows[0]!.enumlabel;
          return `'${label}'`;
        }
        if (c.data_type === 'ARRAY') return `'{}'`;
        if (c.data_type === 'double precision' || c.data_type === 'integer' || c.data_type === 'smallint') return '1';
        if (c.data_type === 'boolean') return 'false';
        return `'x'`;
      }),
    );
    if (table === 'organizations') {
      for (const id of organizationIds) {
        const v = cols.map((c, i) => (c.column_name === 'id' ? `'${id}'` : values[i]));
        await client.exec(`insert into organizations (${cols.map((c) => c.column_name).join(', ')}) values (${v.join(', ')})`);
      }
    } else {
      await client.exec(`insert into ${table} (${cols.map((c) => c.column_name).join(', ')}) values (${values.join(', ')})`);
    }
  }
}
