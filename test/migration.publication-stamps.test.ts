import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { insertMinimalReference, migrationsBefore, removeMigrationCopies } from './support/migrations.js';

/**
 * drizzle/0019_publication_stamps.sql on a database that had records before the change feed did (and
 * entries written under the transaction-id cursor): every record gets an entry, every entry its subject
 * (a grant's: the record it is on) and a distinct publication stamp, in the order things happened, so the
 * TAXII collections served from the feed hold every record.
 */
afterAll(removeMigrationCopies);

const REPORT = '00000000-0000-4000-8000-0000000000a1';
const OBSERVATION = '00000000-0000-4000-8000-0000000000b1';
const GRANT = '00000000-0000-4000-8000-0000000000c1';

describe('migration 0019: publication stamps', () => {
  it('gives every earlier record an entry and every entry a subject and a stamp', async () => {
    const client = new PGlite();
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore('publication_stamps') });
    await insertMinimalReference(client, ['kaz-ct', 'unodc']);
    await client.exec(`insert into reports (id, title_en, summary, body, language, kind, author_org_id, author_sub, published_at, tlp, source_reliability, information_credibility, revision, updated_at)
      values ('${REPORT}', 'Old report', 's', 'b', 'en', 'RESEARCH', 'kaz-ct', 'sample:kaz-ct:analyst-1', '2026-01-01T00:00:00Z', 'AMBER', 'B', 2, 2, '2026-01-03T00:00:00Z')`);
    await client.exec(`insert into observations (id, indicator_code, country_iso3, period_start, value, source_org_id, recorded_by_sub, tlp, source_reliability, information_credibility, revision, recorded_at)
      values ('${OBSERVATION}', 'T-01', 'KAZ', '2026-01-01', 10, 'kaz-ct', 'sample:kaz-ct:analyst-1', 'GREEN', 'B', 2, 1, '2026-01-02T00:00:00Z')`);
    await client.exec(`insert into grants (id, report_id, grantee_org_id, purpose, granted_by_sub, granted_by_org_id, granted_at)
      values ('${GRANT}', '${REPORT}', 'unodc', 'Joint assessment', 'sample:kaz-ct:analyst-1', 'kaz-ct', '2026-01-04T00:00:00Z')`);
    // The report's revision 2 was written through the feed already (it existed then), its revision 1 not.
    await client.exec(`insert into change_feed (kind, record_id, revision, change, origin_org_id, tlp, occurred_at) values ('REPORT', '${REPORT}', 2, 'REVISED', 'kaz-ct', 'AMBER', '2026-01-03T00:00:00Z')`);

    await migrate(db, { migrationsFolder: 'drizzle' });

    const rows = (
      await client.query<{ kind: string; record_id: string; subject_kind: string; subject_id: string; revision: number | null; change: string; stamp: string }>(
        `select kind, record_id, subject_kind, subject_id, revision, change, published_at::text as stamp from change_feed order by published_at`,
      )
    ).rows;
    expect(rows.map(({ stamp: _, ...r }) => r)).toEqual([
      { kind: 'OBSERVATION', record_id: OBSERVATION, subject_kind: 'OBSERVATION', subject_id: OBSERVATION, revision: 1, change: 'CREATED' },
      { kind: 'REPORT', record_id: REPORT, subject_kind: 'REPORT', subject_id: REPORT, revision: 2, change: 'REVISED' },
      { kind: 'GRANT', record_id: GRANT, subject_kind: 'REPORT', subject_id: REPORT, revision: null, change: 'SHARED' },
    ]);
    expect(new Set(rows.map((r) => r.stamp)).size).toBe(3);
    const columns = (await client.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'change_feed'`)).rows.map((r) => r.column_name);
    expect(columns).not.toContain('xid');
    await client.close();
  });
});
