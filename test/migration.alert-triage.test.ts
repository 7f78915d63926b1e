import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import type { MemberViewer } from '../src/auth/viewer.js';
import type { Db } from '../src/db/database.js';
import { alertsByIds } from '../src/db/queries/alerts.js';
import { notesOfThreads, threadKey } from '../src/db/queries/alert-triage.js';
import { toAlert } from '../src/schema/alert/alert.mapper.js';
import { insertMinimalReference, migrationsBefore, removeMigrationCopies } from './support/migrations.js';

/**
 * drizzle/*_alert_triage.sql (0012 on this branch) on a database written under the global triage, where SCO RATS's
 * acknowledgement was the whole network's: it becomes SCO RATS's own triage (ACKNOWLEDGED, since when it
 * was acknowledged, by whom), its note the first note of SCO RATS's thread; every other organization's
 * triage of the alert is NEW. The global columns are dropped; UNRCCA and UNOCT are marked coordinators.
 */
afterAll(removeMigrationCopies);

const ACKNOWLEDGED = '00000000-0000-4000-8000-0000000000a1';
const OPEN = '00000000-0000-4000-8000-0000000000a2';
const UNATTRIBUTED = '00000000-0000-4000-8000-0000000000a3';

const member = (org: string): MemberViewer => ({
  kind: 'member',
  sub: `sample:${org}:analyst-1`,
  organizationId: org,
  organizationKind: 'REGIONAL_ORGANIZATION',
  organizationCountry: null,
  parentOrganizationIds: [],
  coordinatesNetwork: false,
  roles: ['analyst'],
});

describe('migration alert_triage: triage per organization', () => {
  it('moves a global acknowledgement into the acknowledging organization’s triage, with its note first in the thread', async () => {
    const client = new PGlite();
    const db = drizzle(client);
    await migrate(db, { migrationsFolder: migrationsBefore('alert_triage') });
    await insertMinimalReference(client, ['kaz-ct', 'sco-rats', 'unrcca', 'unoct']);
    const alert = (id: string, status: string, org: string | null, sub: string | null, at: string | null, note: string | null) =>
      `('${id}', 'T-01', 'KAZ', '2026-01-01', 'kaz-ct', 'WARNING', 'THRESHOLD', 7, 'GREEN', '{}', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z', '${status}', ${[org, sub, at, note].map((v) => (v ? `'${v}'` : 'null')).join(', ')})`;
    await client.exec(`insert into alerts (id, indicator_code, country_iso3, period_start, source_org_id, level, rule, value, tlp, observation_ids, raised_at, known_at,
        status, acknowledged_by_org_id, acknowledged_by_sub, acknowledged_at, acknowledgement_note) values
      ${alert(ACKNOWLEDGED, 'ACKNOWLEDGED', 'sco-rats', 'sample:sco-rats:analyst-1', '2026-02-03T09:30:00Z', 'Seen at RATS; cross-checking')},
      ${alert(OPEN, 'OPEN', null, null, null, null)},
      ${alert(UNATTRIBUTED, 'ACKNOWLEDGED', null, 'x', null, 'set by hand')}`);

    await migrate(db, { migrationsFolder: 'drizzle' });

    const triage = (await client.query(`select alert_id, organization_id, state, assignee_sub, acknowledged_at, escalated_at, updated_at, updated_by_sub from alert_triage`)).rows;
    expect(triage).toEqual([
      {
        alert_id: ACKNOWLEDGED,
        organization_id: 'sco-rats',
        state: 'ACKNOWLEDGED',
        assignee_sub: null,
        acknowledged_at: new Date('2026-02-03T09:30:00Z'),
        escalated_at: null,
        updated_at: new Date('2026-02-03T09:30:00Z'),
        updated_by_sub: 'sample:sco-rats:analyst-1',
      },
    ]);
    const notes = (await client.query(`select alert_id, organization_id, author_sub, written_at, body, state from alert_triage_notes`)).rows;
    expect(notes).toEqual([
      { alert_id: ACKNOWLEDGED, organization_id: 'sco-rats', author_sub: 'sample:sco-rats:analyst-1', written_at: new Date('2026-02-03T09:30:00Z'), body: 'Seen at RATS; cross-checking', state: 'ACKNOWLEDGED' },
    ]);
    // The global columns are gone: nothing can read the old network-wide state any more.
    const columns = (await client.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'alerts'`)).rows.map((r) => r.column_name);
    expect(columns.filter((c) => c === 'status' || c.startsWith('acknowledg'))).toEqual([]);
    const coordinators = (await client.query<{ id: string }>(`select id from organizations where coordinates_network order by id`)).rows.map((r) => r.id);
    expect(coordinators).toEqual(['unoct', 'unrcca']);

    // As the API reads it: SCO RATS acknowledged, with its note; kaz-ct has not (its own triage is NEW).
    const read = async (org: string) => (await alertsByIds(db as unknown as Db, member(org), [ACKNOWLEDGED])).map(toAlert)[0]!;
    expect(await read('sco-rats')).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedByOrganizationId: 'sco-rats', ownTriage: { state: 'ACKNOWLEDGED' } });
    expect(await read('kaz-ct')).toMatchObject({ status: 'OPEN', acknowledgedAt: null, acknowledgedByOrganizationId: null, ownTriage: { state: null } });
    const key = threadKey({ alertId: ACKNOWLEDGED, organizationId: 'sco-rats' });
    expect((await notesOfThreads(db as unknown as Db, [key], { first: 20 })).get(key)!.map((n) => n.body)).toEqual(['Seen at RATS; cross-checking']);
    await client.close();
  });
});
