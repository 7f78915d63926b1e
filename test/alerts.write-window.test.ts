import { gte, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberViewer } from '../src/auth/viewer.js';
import { appliesTo, qualified } from '../src/db/applicability.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { recomputeAlerts } from '../src/db/queries/alert-writes.js';
import { loadReferenceData, recordObservations, type ObservationInputRow } from '../src/db/queries/observation-writes.js';
import { alerts, indicators } from '../src/db/schema/index.js';
import { seedSampleData } from '../src/db/seed/index.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  await migrate(database);
  await seedSampleData(database.db, { reports: 20, years: 2 });
});
afterAll(() => database?.close());

const unodc: MemberViewer = {
  kind: 'member',
  sub: 'sample:unodc:analyst-1',
  organizationId: 'unodc',
  organizationKind: 'UN_ENTITY',
  organizationCountry: null,
  parentOrganizationIds: [],
  coordinatesNetwork: false,
  roles: ['contributor'],
};

/** What identifies an alert and the points it was computed from. */
async function futureAlerts() {
  const rows = await database.db.select().from(alerts).where(gte(alerts.periodStart, '2100-01-01'));
  return rows
    .map((a) => `${a.indicatorCode} ${a.countryIso3} ${a.periodStart} ${a.rule} ${a.level} mean=${a.baselineMean?.toFixed(6)} of ${[...a.observationIds].sort().join(',')}`)
    .sort();
}

/**
 * The write path reads only the points the rules look at (src/db/queries/alert-writes.ts loadSeries: per
 * series, the TREND_WINDOW points in force before its earliest written period up to its latest); the
 * recompute reads every series whole. For new periods both must raise the same alerts from the same points.
 */
describe('alerts raised on write look at the same points as a recompute of the whole history', () => {
  it('for a batch with several periods per series, gaps between them, and series written once', async () => {
    const monthly = await database.db
      .select({ code: indicators.code, watch: indicators.thresholdWatch, critical: indicators.thresholdCritical })
      .from(indicators)
      // The batch writes to Kazakhstan, Tajikistan, Uzbekistan and Kyrgyzstan: indicators that apply to all four.
      .where(sql`${indicators.periodicity} = 'MONTHLY' and ${sql.join(['KAZ', 'TJK', 'UZB', 'KGZ'].map((c) => appliesTo(qualified(indicators.code), sql`${c}::char(3)`)), sql` and `)}`)
      .orderBy(indicators.code)
      .limit(4);
    expect(monthly).toHaveLength(4);
    const row = (indicator: string, country: string, period: string, value: number): ObservationInputRow => ({
      indicator,
      country,
      period,
      value,
      tlp: 'GREEN',
      sourceReliability: 'B',
      informationCredibility: 2,
    });
    // Far past the critical level (a THRESHOLD alert, and a TREND alert against the recent baseline),
    // then back near the watch level, with months missing in between.
    const [a, b, c, d] = monthly as [(typeof monthly)[number], (typeof monthly)[number], (typeof monthly)[number], (typeof monthly)[number]];
    const batch = [
      row(a.code, 'KAZ', '2100-01', a.critical * 3),
      row(a.code, 'KAZ', '2100-02', a.watch),
      row(a.code, 'KAZ', '2100-05', a.critical * 4),
      row(a.code, 'KAZ', '2100-06', a.critical * 4),
      row(b.code, 'TJK', '2100-03', b.critical * 3),
      row(b.code, 'TJK', '2100-01', b.watch),
      row(c.code, 'UZB', '2100-01', c.critical * 5),
      row(d.code, 'KGZ', '2100-12', d.watch * 0.5),
      row(d.code, 'KGZ', '2100-02', d.critical * 2),
    ];
    const written = await recordObservations(database.db, unodc, batch, { maxFuturePeriods: Number.POSITIVE_INFINITY });
    expect(written.alertIds.length).toBeGreaterThan(3);
    const raisedOnWrite = await futureAlerts();
    expect(raisedOnWrite.some((line) => line.includes(' TREND '))).toBe(true);

    const { levels: specs } = await loadReferenceData(database.db);
    await recomputeAlerts(database.db, specs);
    expect(await futureAlerts()).toEqual(raisedOnWrite);
  });
});
