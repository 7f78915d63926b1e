import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * drizzle/0007_values_per_source.sql on a database written under the old model, where any source's value
 * superseded every other source's value of the period: the superseded figures of other sources come back
 * into force, revisions are renumbered per source, and alerts get their source. Nothing is deleted.
 */
const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

/** The committed migrations up to (not including) the one tagged `before`. */
function migrationsBefore(before: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-migrations-'));
  folders.push(dir);
  cpSync('drizzle', dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === before);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

describe('migration 0007: one value per source', () => {
  it('restores other sources’ superseded values, renumbers revisions per source and gives alerts their source', async () => {
    const client = new PGlite();
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore('0007_values_per_source') });
    // The smallest reference rows the old schema accepts: every NOT NULL column without default gets a value.
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
        for (const id of ['kaz-ct', 'unodc']) {
          const v = cols.map((c, i) => (c.column_name === 'id' ? `'${id}'` : values[i]));
          await client.exec(`insert into organizations (${cols.map((c) => c.column_name).join(', ')}) values (${v.join(', ')})`);
        }
      } else {
        await client.exec(`insert into ${table} (${cols.map((c) => c.column_name).join(', ')}) values (${values.join(', ')})`);
      }
    }
    // The old model: kaz-ct's value (rev 1), then UNODC's value of the same period superseded it (rev 2),
    // then UNODC corrected its own (rev 3).
    const obs = (id: string, source: string, revision: number, at: string, superseded: string | null) =>
      `('${id}', 'T-01', 'KAZ', '2026-01-01', ${revision * 10}, '${source}', 'sample:${source}:analyst-1', 'GREEN', 'B', 2, ${revision}, '${at}', ${superseded ? `'${superseded}'` : 'null'})`;
    await client.exec(`insert into observations (id, indicator_code, country_iso3, period_start, value, source_org_id, recorded_by_sub, tlp, source_reliability, information_credibility, revision, recorded_at, superseded_at) values
      ${obs('00000000-0000-4000-8000-000000000001', 'kaz-ct', 1, '2026-02-01T00:00:00Z', '2026-02-05T00:00:00Z')},
      ${obs('00000000-0000-4000-8000-000000000002', 'unodc', 2, '2026-02-05T00:00:00Z', '2026-02-09T00:00:00Z')},
      ${obs('00000000-0000-4000-8000-000000000003', 'unodc', 3, '2026-02-09T00:00:00Z', null)}`);
    await client.exec(`insert into alerts (indicator_code, country_iso3, period_start, level, rule, value, tlp, observation_ids)
      values ('T-01', 'KAZ', '2026-01-01', 'WATCH', 'THRESHOLD', 30, 'GREEN', array['00000000-0000-4000-8000-000000000003']::uuid[])`);

    await migrate(db, { migrationsFolder: 'drizzle' });

    const rows = (await client.query<{ id: string; source_org_id: string; revision: number; superseded_at: Date | null }>(
      `select id, source_org_id, revision, superseded_at from observations order by id`,
    )).rows;
    expect(rows.map((r) => [r.source_org_id, r.revision, r.superseded_at?.toISOString() ?? null])).toEqual([
      ['kaz-ct', 1, null],
      ['unodc', 1, '2026-02-09T00:00:00.000Z'],
      ['unodc', 2, null],
    ]);
    expect((await client.query<{ source_org_id: string }>(`select source_org_id from alerts`)).rows).toEqual([{ source_org_id: 'unodc' }]);
    await client.close();
  });
});
