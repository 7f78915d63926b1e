import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadReferenceData } from '../src/db/queries/observation-writes.js';
import { alerts, indicators } from '../src/db/schema/index.js';
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
  it('gives the same alerts as the write path did, and is idempotent', async () => {
    const before = await count();
    expect(before).toBeGreaterThan(100);
    const { indicators: specs } = await loadReferenceData(database.db);
    const result = await recomputeAlerts(database.db, specs);
    expect(result).toEqual({ removed: before, raised: before });
    expect(await count()).toBe(before);
  });

  it('follows a threshold change, and keeps acknowledged alerts without raising them again', async () => {
    const [acknowledged] = await database.db.select().from(alerts).where(eq(alerts.rule, 'THRESHOLD')).limit(1);
    await database.db.update(alerts).set({ status: 'ACKNOWLEDGED', acknowledgedBySub: 'x', acknowledgedAt: new Date() }).where(eq(alerts.id, acknowledged!.id));
    const thresholdAlerts = await count(eq(alerts.rule, 'THRESHOLD'));
    expect(await count(sql`${alerts.rule} = 'THRESHOLD' and ${alerts.level} = 'CRITICAL'`)).toBeGreaterThan(10);
    // Raise every indicator's critical threshold out of reach: fewer critical alerts, none lost that was acknowledged.
    await database.db.update(indicators).set({ thresholdCritical: sql`case when worse_direction = 'HIGHER' then 1e12 else -1e12 end` });
    const { indicators: specs } = await loadReferenceData(database.db);
    await recomputeAlerts(database.db, specs);
    expect(await count(sql`${alerts.rule} = 'THRESHOLD' and ${alerts.level} = 'CRITICAL' and ${alerts.status} = 'OPEN'`)).toBe(0);
    expect(await count(eq(alerts.id, acknowledged!.id))).toBe(1);
    expect(await count(eq(alerts.rule, 'THRESHOLD'))).toBeGreaterThan(thresholdAlerts / 2);
    const sameSlot = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(alerts)
      .where(sql`${alerts.indicatorCode} = ${acknowledged!.indicatorCode} and ${alerts.countryIso3} = ${acknowledged!.countryIso3} and ${alerts.periodStart} = ${acknowledged!.periodStart} and ${alerts.rule} = 'THRESHOLD' and ${alerts.level} = ${acknowledged!.level}`);
    expect(sameSlot[0]!.n).toBe(1);
  });
});
