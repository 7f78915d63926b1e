import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadReferenceData } from '../src/db/queries/observation-writes.js';
import { alertTriage, alerts, indicators } from '../src/db/schema/index.js';
import { seedSampleData } from '../src/db/seed/index.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  await migrate(database);
  await seedSampleData(database.db);
});
afterAll(() => database?.close());

const count = async (where = sql`true`) => (await database.db.select({ n: sql<number>`count(*)::int` }).from(alerts).where(where))[0]!.n;

describe('recomputing alerts for history', () => {
  const snapshot = async () =>
    (await database.db.select({ id: alerts.id, raisedAt: alerts.raisedAt, knownAt: alerts.knownAt, supersededAt: alerts.supersededAt }).from(alerts)).sort((x, y) => x.id.localeCompare(y.id));

  it('keeps every alert that still holds, with its id and times (the seed wrote them), and is idempotent', async () => {
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(100);
    const { levels: specs } = await loadReferenceData(database.db);
    expect(await recomputeAlerts(database.db, specs)).toEqual({ kept: before.length, superseded: 0, raised: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('follows a threshold change: alerts that no longer hold are superseded (kept), the others keep ids, times and triage', async () => {
    const [acknowledged] = await database.db.select().from(alerts).where(sql`${alerts.rule} = 'THRESHOLD' and ${alerts.level} <> 'CRITICAL'`).limit(1);
    // An organization's triage hangs on the alert's id: an alert that still holds keeps it.
    await database.db.insert(alertTriage).values({ alertId: acknowledged!.id, organizationId: 'kaz-ct', state: 'ACKNOWLEDGED', acknowledgedAt: new Date(), updatedBySub: 'sample:kaz-ct:analyst-1' });
    const before = await snapshot();
    const critical = await database.db.select({ id: alerts.id }).from(alerts).where(sql`${alerts.rule} = 'THRESHOLD' and ${alerts.level} = 'CRITICAL'`);
    expect(critical.length).toBeGreaterThan(10);
    // Raise every indicator's critical threshold out of reach.
    await database.db.update(indicators).set({ thresholdCritical: sql`case when worse_direction = 'HIGHER' then 1e12 else -1e12 end` });
    const { levels: specs } = await loadReferenceData(database.db);
    const result = await recomputeAlerts(database.db, specs);
    expect(result.superseded).toBeGreaterThanOrEqual(critical.length);
    // Nothing deleted; every former critical threshold alert is kept, superseded by no revision (the rules changed).
    const after = await snapshot();
    expect(after.length).toBe(before.length + result.raised);
    const superseded = await database.db.select().from(alerts).where(sql`${alerts.supersededAt} is not null`);
    expect(superseded.map((a) => a.id)).toEqual(expect.arrayContaining(critical.map((c) => c.id)));
    expect(superseded.every((a) => a.supersededByObservationId === null)).toBe(true);
    expect(await count(sql`${alerts.rule} = 'THRESHOLD' and ${alerts.level} = 'CRITICAL' and ${alerts.supersededAt} is null`)).toBe(0);
    const [still] = await database.db.select().from(alerts).where(eq(alerts.id, acknowledged!.id));
    expect(still).toMatchObject({ supersededAt: null, raisedAt: acknowledged!.raisedAt, knownAt: acknowledged!.knownAt });
    expect(await database.db.select({ state: alertTriage.state }).from(alertTriage).where(eq(alertTriage.alertId, acknowledged!.id))).toEqual([{ state: 'ACKNOWLEDGED' }]);
    // Kept alerts keep their times.
    const keptBefore = new Map(before.map((a) => [a.id, a]));
    for (const a of after.filter((x) => x.supersededAt === null && keptBefore.has(x.id))) expect(a.raisedAt).toEqual(keptBefore.get(a.id)!.raisedAt);
    // A second run changes nothing.
    expect(await recomputeAlerts(database.db, specs)).toMatchObject({ superseded: 0, raised: 0 });
  });
});
