import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { insertMinimalReference, migrationsBefore, removeMigrationCopies } from './support/migrations.js';

/**
 * drizzle/0007_values_per_source.sql on a database written under the old model, where any source's value
 * superseded every other source's value of the period: the superseded figures of other sources come back
 * into force, revisions are renumbered per source, and alerts get their source. Nothing is deleted.
 */
afterAll(removeMigrationCopies);

describe('migration 0007: one value per source', () => {
  it('restores other sources’ superseded values, renumbers revisions per source and gives alerts their source', async () => {
    const client = new PGlite();
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore('0007_values_per_source') });
    await insertMinimalReference(client, ['kaz-ct', 'unodc']);
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
