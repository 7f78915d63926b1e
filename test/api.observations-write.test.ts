import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, indicators, observations } from '../src/db/schema/index.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
let monthly: { code: string; watch: number; warning: number; critical: number; direction: string; min: number | null; max: number | null };
let quarterly: string;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
  const rows = await api.app.database.db.select().from(indicators);
  const m = rows.find((i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER')!;
  monthly = { code: m.code, watch: m.thresholdWatch, warning: m.thresholdWarning, critical: m.thresholdCritical, direction: m.worseDirection, min: m.minValue, max: m.maxValue };
  quarterly = rows.find((i) => i.periodicity === 'QUARTERLY')!.code;
});
afterAll(() => api?.stop());

async function as(org: string, roles: string[], sub = `sample:${org}:analyst-1`) {
  return { authorization: `Bearer ${await idp.sign({ sub, org, roles })}` };
}
const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

const RECORD = `mutation($input: [ObservationInput!]!, $key: String) { recordObservations(input: $input, idempotencyKey: $key) {
  replayed
  observations { id value revision period tlp country { iso3 } indicator { code } }
  alerts { id rule level tlp value threshold period country { iso3 } observations { id } }
} }`;

const row = (over: Record<string, unknown> = {}) => ({
  indicator: monthly.code,
  country: 'KAZ',
  period: '2026-11',
  value: 1,
  tlp: 'GREEN',
  sourceReliability: 'B',
  informationCredibility: 2,
  ...over,
});

async function countObservations() {
  const [r] = await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(observations);
  return r!.n;
}

describe('recording observations', () => {
  it('a member-state agency records for its own country; the same idempotency key writes once and answers the same', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const before = await countObservations();
    const input = [row({ period: '2026-11', value: monthly.watch / 2 })];
    const first = await gql(api.url, RECORD, { input, key: 'batch-0001-kaz' }, kaz);
    expect(first.errors).toBeUndefined();
    expect(first.data!.recordObservations).toMatchObject({ replayed: false, observations: [{ period: '2026-11', revision: 1, country: { iso3: 'KAZ' } }] });
    const retry = await gql(api.url, RECORD, { input, key: 'batch-0001-kaz' }, kaz);
    expect(retry.data!.recordObservations.replayed).toBe(true);
    expect(retry.data!.recordObservations.observations.map((o: { id: string }) => o.id)).toEqual(first.data!.recordObservations.observations.map((o: { id: string }) => o.id));
    expect(await countObservations()).toBe(before + 1);
    const reused = await gql(api.url, RECORD, { input: [row({ period: '2026-11', value: 2 })], key: 'batch-0001-kaz' }, kaz);
    expect(code(reused)).toBe('CONFLICT');
  });

  it('a value for a period that has one is a revision: the old value stays readable with asOf', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const period = '2026-12';
    const first = await gql(api.url, RECORD, { input: [row({ period, value: 3 })] }, kaz);
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const second = await gql(api.url, RECORD, { input: [row({ period, value: 4 })] }, kaz);
    expect(second.data!.recordObservations.observations[0]).toMatchObject({ value: 4, revision: 2 });
    const Q = `query($code: String!, $asOf: DateTimeISO) { indicator(code: $code) { observations(country: "KAZ", from: "2026-12", to: "2026-12", asOf: $asOf) { edges { node { value revision } } } } }`;
    const now = await gql(api.url, Q, { code: monthly.code }, kaz);
    expect(now.data!.indicator.observations.edges).toEqual([{ node: { value: 4, revision: 2 } }]);
    const then = await gql(api.url, Q, { code: monthly.code, asOf: between }, kaz);
    expect(then.data!.indicator.observations.edges).toEqual([{ node: { value: 3, revision: 1 } }]);
    expect(first.data!.recordObservations.observations[0].revision).toBe(1);
  });

  it('one bad row writes nothing, and every problem names its row and field', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const before = await countObservations();
    const response = await gql(
      api.url,
      RECORD,
      {
        input: [
          row({ period: '2020-01', value: 1 }),
          row({ country: 'TJK', period: '2020-01' }),
          row({ indicator: quarterly, period: '2020-02' }),
          row({ indicator: 'NOPE-99', period: '2020-01' }),
          row({ period: '2020-03', value: monthly.max !== null ? monthly.max + 1 : -1e12 }),
          row({ period: '2020-04', tlp: 'CLEAR' }),
        ],
      },
      kaz,
    );
    expect(code(response)).toBe('BAD_USER_INPUT');
    const problems = response.errors![0]!.extensions!.problems as { row: number; field: string; message: string }[];
    expect(problems.map((p) => [p.row, p.field])).toEqual([
      [1, 'country'],
      [2, 'period'],
      [3, 'indicator'],
      [4, 'value'],
      [5, 'tlp'],
    ]);
    expect(problems[0]!.message).toMatch(/own country \(KAZ\)/);
    expect(problems[1]!.message).toMatch(/QUARTERLY periodicity/);
    expect(response.errors![0]!.message).toMatch(/^5 invalid value\(s\), nothing was written: input\[1\]\.country/);
    expect(response.errors![0]!.extensions!.field).toBe('input[1].country');
    expect(await countObservations()).toBe(before);
  });

  it('UN entities record for any country; other kinds and non-contributors are refused', async () => {
    const un = await gql(api.url, RECORD, { input: [row({ country: 'TJK', period: '2026-11', value: 1 })] }, await as('unodc', ['contributor']));
    expect(un.errors).toBeUndefined();
    const rats = await gql(api.url, RECORD, { input: [row({ country: 'TJK', period: '2026-11' })] }, await as('sco-rats', ['contributor']));
    expect(code(rats)).toBe('BAD_USER_INPUT');
    expect(rats.errors![0]!.message).toMatch(/only member-state agencies/);
    expect(code(await gql(api.url, RECORD, { input: [row()] }, await as('kaz-ct', ['analyst'])))).toBe('FORBIDDEN');
    expect(code(await gql(api.url, RECORD, { input: [row()] }))).toBe('FORBIDDEN');
  });
});

/** Period labels counted from the current month (UTC), as the server counts them. */
function monthsAhead(n: number): string {
  const now = new Date();
  const index = now.getUTCFullYear() * 12 + now.getUTCMonth() + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
function quartersAhead(n: number): string {
  const now = new Date();
  const index = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3) + n;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

describe('future periods (a file of months in 2036 once raised 552 real alerts)', () => {
  it('a period after the current one is refused with its row and field, and nothing is written', async () => {
    const kaz = await as('kaz-ct', ['contributor']);
    const before = await countObservations();
    const countAlerts = async () => (await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(alerts))[0]!.n;
    const alertsBefore = await countAlerts();
    const response = await gql(
      api.url,
      RECORD,
      {
        input: [
          row({ period: monthsAhead(0), value: 1 }),
          row({ period: monthsAhead(1), value: monthly.critical * 2 }),
          row({ indicator: quarterly, period: quartersAhead(1) }),
          row({ period: '2036-01', value: monthly.critical * 2 }),
        ],
      },
      kaz,
    );
    expect(code(response)).toBe('BAD_USER_INPUT');
    const problems = response.errors![0]!.extensions!.problems as { row: number; field: string; message: string }[];
    expect(problems).toEqual([
      { row: 1, field: 'period', message: `"${monthsAhead(1)}" is after the current period (${monthsAhead(0)}): values for future periods are not accepted` },
      { row: 2, field: 'period', message: `"${quartersAhead(1)}" is after the current period (${quartersAhead(0)}): values for future periods are not accepted` },
      { row: 3, field: 'period', message: `"2036-01" is after the current period (${monthsAhead(0)}): values for future periods are not accepted` },
    ]);
    expect(response.errors![0]!.extensions!.field).toBe('input[1].period');
    expect(await countObservations()).toBe(before);
    expect(await countAlerts()).toBe(alertsBefore);
  });

  it('MAX_FUTURE_PERIODS allows forecasts that many periods ahead of the current one, and no further', async () => {
    // On PGlite, an unseeded database given the reference data only (seeding a second one would double this
    // file's time); on PostgreSQL, a copy of the seeded template (the seed call below then does nothing).
    const embedded: Record<string, string> = process.env.TEST_DATABASE_URL ? {} : { DATABASE_URL: '', SEED_SAMPLE_DATA: 'false' };
    const forecasts = await startTestApp({ ...idp.env, ...embedded, REFERENCE_CACHE_TTL_MS: '0', MAX_FUTURE_PERIODS: '2' });
    try {
      await seedSampleData(forecasts.app.database.db, { reports: 0, years: 0 });
      const kaz = await as('kaz-ct', ['contributor']);
      const ok = await gql(forecasts.url, RECORD, { input: [row({ period: monthsAhead(2), value: 1 }), row({ indicator: quarterly, period: quartersAhead(2) })] }, kaz);
      expect(ok.errors).toBeUndefined();
      expect(ok.data!.recordObservations.observations.map((o: { period: string }) => o.period).sort()).toEqual([monthsAhead(2), quartersAhead(2)].sort());
      const far = await gql(forecasts.url, RECORD, { input: [row({ period: monthsAhead(3), value: 1 })] }, kaz);
      expect(code(far)).toBe('BAD_USER_INPUT');
      expect(far.errors![0]!.extensions!.problems).toEqual([
        { row: 0, field: 'period', message: `"${monthsAhead(3)}" is more than 2 periods after the current one (${monthsAhead(0)}): the latest accepted is ${monthsAhead(2)}` },
      ]);
    } finally {
      await forecasts.stop();
    }
  });
});

describe('alerts', () => {
  it('a value crossing the critical threshold raises a THRESHOLD alert in the same write, marked like its values (it and the previous one it rose from)', async () => {
    const uzb = await as('uzb-ct', ['contributor']);
    const calm = monthly.watch - Math.abs(monthly.watch) * 0.5;
    const before = await gql(api.url, RECORD, { input: [row({ country: 'UZB', period: '2026-11', value: calm })] }, uzb);
    const spike = await gql(api.url, RECORD, { input: [row({ country: 'UZB', period: '2026-12', value: monthly.critical + 1, tlp: 'AMBER' })] }, uzb);
    expect(spike.errors).toBeUndefined();
    const result = spike.data!.recordObservations;
    const threshold = result.alerts.find((a: { rule: string }) => a.rule === 'THRESHOLD');
    expect(threshold).toMatchObject({ level: 'CRITICAL', tlp: 'AMBER', threshold: monthly.critical, period: '2026-12', country: { iso3: 'UZB' } });
    expect(threshold.observations).toEqual([{ id: result.observations[0].id }, { id: before.data!.recordObservations.observations[0].id }]);

    const ALERTS = `query { alerts(first: 100, filter: { country: "UZB", level: CRITICAL }) { totalCount edges { node { id status } } } }`;
    const ids = async (headers: Record<string, string>) => (await gql(api.url, ALERTS, {}, headers)).data!.alerts.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids(uzb)).toContain(threshold.id);
    expect(await ids(await as('sco-rats', ['analyst']))).not.toContain(threshold.id);
    expect(await ids({})).not.toContain(threshold.id);

    const ack = `mutation($id: String!) { acknowledgeAlert(id: $id, note: "Checked with the border service") { status acknowledgedByOrganizationId acknowledgementNote } }`;
    expect(code(await gql(api.url, ack, { id: threshold.id }, await as('sco-rats', ['analyst'])))).toBe('NOT_FOUND');
    const done = await gql(api.url, ack, { id: threshold.id }, await as('uzb-ct', ['analyst']));
    expect(done.data!.acknowledgeAlert).toEqual({ status: 'ACKNOWLEDGED', acknowledgedByOrganizationId: 'uzb-ct', acknowledgementNote: 'Checked with the border service' });
    expect(code(await gql(api.url, ack, { id: threshold.id }, await as('uzb-ct', ['analyst'])))).toBe('CONFLICT');
  });

  it('a level that persists raises nothing new; a correction that escalates does', async () => {
    const kgz = await as('kgz-ct', ['contributor']);
    await gql(api.url, RECORD, { input: [row({ country: 'KGZ', period: '2026-11', value: monthly.warning + 0.01 * Math.abs(monthly.critical - monthly.warning) })] }, kgz);
    const persist = await gql(api.url, RECORD, { input: [row({ country: 'KGZ', period: '2026-12', value: monthly.warning + 0.02 * Math.abs(monthly.critical - monthly.warning) })] }, kgz);
    expect(persist.data!.recordObservations.alerts.filter((a: { rule: string }) => a.rule === 'THRESHOLD')).toEqual([]);
    const escalate = await gql(api.url, RECORD, { input: [row({ country: 'KGZ', period: '2026-12', value: monthly.critical + 1 })] }, kgz);
    expect(escalate.data!.recordObservations.alerts.filter((a: { rule: string }) => a.rule === 'THRESHOLD').map((a: { level: string }) => a.level)).toEqual(['CRITICAL']);
  });

  it('no alert is left behind by a failed write', async () => {
    const countAlerts = async () => (await api.app.database.db.select({ n: sql<number>`count(*)::int` }).from(alerts))[0]!.n;
    const before = await countAlerts();
    const kaz = await as('kaz-ct', ['contributor']);
    await gql(api.url, RECORD, { input: [row({ period: '2020-05', value: monthly.critical * 2 }), row({ country: 'TJK', period: '2020-05' })] }, kaz);
    expect(await countAlerts()).toBe(before);
    const stray = await api.app.database.db.select().from(observations).where(and(eq(observations.countryIso3, 'KAZ'), eq(observations.periodStart, '2020-05-01')));
    expect(stray).toEqual([]);
  });
});
