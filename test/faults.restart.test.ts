import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { seedSampleData } from '../src/db/seed/index.js';
import { databaseUnavailable } from '../src/http/format-error.js';
import { startApiProcess, stopApiProcesses, type ApiProcess } from './support/api-process.js';
import { gql } from './support/app.js';
import { postgresBinaries, startPgCluster, type PgCluster } from './support/pg-cluster.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';
import { subscribe } from './support/ws.js';
import { reportDraft } from './support/drafts.js';

/**
 * A PostgreSQL restart, a backend killed mid-transaction and the idle-in-transaction timeout must cost
 * the requests that held a connection — answered SERVICE_UNAVAILABLE, all or nothing — and nothing
 * else: no API process dies, no acknowledged write is lost or doubled, requests succeed once the
 * database is back, and live alerts reach subscribers on every process again. Runs on a private cluster
 * (own data directory and port), so the shared server is never restarted; needs only the PostgreSQL
 * server binaries, not TEST_DATABASE_URL.
 */
const bin = postgresBinaries();
const suite = bin ? describe : describe.skip;

const WRITERS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

suite(bin ? 'PostgreSQL restarts under concurrent writes (private cluster)' : 'PostgreSQL restarts (skipped: no PostgreSQL server binaries under /usr/lib/postgresql)', () => {
  let cluster: PgCluster;
  let idp: TestIdentityProvider;
  let monthly: { code: string; critical: number };
  /** Another series for the second test: its previous value is the sample's, whatever the first test wrote. */
  let other: { code: string; critical: number };
  const apis: ApiProcess[] = [];

  const direct = async <T>(text: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  };

  const startProcess = () =>
    startApiProcess({
      ...idp.env,
      DATABASE_URL: cluster.url,
      LOG_LEVEL: 'error',
      PG_CONNECT_TIMEOUT_MS: '1000',
      RATE_LIMIT_REQUESTS_PER_MIN: '0',
      RATE_LIMIT_COST_PER_MIN: '0',
      MAX_FUTURE_PERIODS: 'unlimited', // writes go to 2099, clear of the sample series
    });

  beforeAll(async () => {
    cluster = await startPgCluster(bin!);
    const database = await openDatabase({ databaseUrl: cluster.url, dataDir: 'unused' });
    try {
      await migrate(database);
      await seedSampleData(database.db, { reports: 40, years: 1 });
    } finally {
      await database.close();
    }
    idp = await createIdentityProvider();
    apis.push(...(await Promise.all([startProcess(), startProcess()])));
    // An indicator of the Central Asian states: the values written below are Kazakhstan's.
    const [row, second] = await direct<{ code: string; threshold_critical: number }>(
      `select code, threshold_critical from indicators where periodicity = 'MONTHLY' and worse_direction = 'HIGHER'
        and code in (select indicator_code from indicator_country_groups where group_code = 'CENTRAL_ASIA') order by code limit 2`,
    );
    monthly = { code: row!.code, critical: row!.threshold_critical };
    other = { code: second!.code, critical: second!.threshold_critical };
  }, 120_000);

  afterAll(async () => {
    await stopApiProcesses(apis);
    await cluster?.destroy();
  });

  it('a fast restart and a backend killed mid-transaction: 0 acknowledged writes lost, 0 duplicates, 0 process exits, failures are SERVICE_UNAVAILABLE, alerts reach both processes after', async () => {
    const contributor = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
    const analyst = `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['analyst'] })}`;
    // Subscribed before the restart: the WebSocket to the API outlives the database connections.
    const subscriptions = await Promise.all(
      apis.map((api) => subscribe<{ alertRaised: { id: string } }>(api.url, 'subscription { alertRaised(country: "KAZ") { id } }', {}, analyst)),
    );

    const acknowledged = { reports: new Set<string>(), observations: new Set<string>() };
    const failures: string[] = [];
    const statuses = new Set<number>();
    let stop = false;
    let phase: 'before' | 'after' = 'before';
    let succeededAfter = 0;

    const createReport = (api: ApiProcess, title: string) =>
      gql(
        api.url,
        'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
        {
          input: reportDraft({ title, summary: 'Written while the database restarts.', body: 'Fault test.' }),
        },
        contributor,
      );
    const recordObservation = (api: ApiProcess, period: string, value: number, key: string) =>
      gql(
        api.url,
        'mutation($input: [ObservationInput!]!, $key: String) { recordObservations(input: $input, idempotencyKey: $key) { observations { id } alerts { id } } }',
        { input: [{ indicator: monthly.code, country: 'KAZ', period, value, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }], key },
        contributor,
      );

    /** One write; true when acknowledged. A failure must be a GraphQL answer SERVICE_UNAVAILABLE. */
    const attempt = async (write: () => ReturnType<typeof gql>): Promise<boolean> => {
      try {
        const response = await write();
        if (!response.errors) {
          if (phase === 'after') succeededAfter += 1;
          return true;
        }
        failures.push(String(response.errors[0]?.extensions?.code));
        statuses.add(response.status);
      } catch (error) {
        failures.push(`transport: ${(error as { cause?: { code?: string } }).cause?.code ?? String(error)}`);
      }
      return false;
    };

    const writer = async (w: number) => {
      const api = apis[w % apis.length]!;
      for (let n = 0; !stop && n < 240; n++) {
        if (n % 2 === 0) {
          // No idempotency key on createReport: a failure is not retried, so any second row is a duplicate.
          const title = `restart-w${w}-n${n}`;
          if (await attempt(() => createReport(api, title))) acknowledged.reports.add(title);
        } else {
          // Retried with the same idempotency key until acknowledged: still exactly one value.
          const period = `${2100 + w * 20 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
          for (let tries = 0; tries < 40 && !stop; tries++) {
            if (await attempt(() => recordObservation(api, period, 1, `restart-w${w}-n${n}`))) {
              acknowledged.observations.add(`${period}-01`);
              break;
            }
            await sleep(100);
          }
        }
      }
    };

    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    // 1. A backend killed in the middle of a transaction (between its statements or during one).
    await sleep(1500);
    let terminated: { pid: number; state: string } | undefined;
    for (let i = 0; i < 400 && !terminated; i++) {
      const [row] = await direct<{ pid: number; state: string }>(
        `select pid, state from pg_stat_activity
          where datname = 'ctewn' and backend_type = 'client backend' and pid <> pg_backend_pid() and query not ilike 'listen%'
            and (state = 'idle in transaction' or (state = 'active' and xact_start < query_start))
          limit 1`,
      );
      if (row && (await direct<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [row.pid]))[0]!.ok) terminated = row;
      else await sleep(10);
    }
    expect(terminated, 'a backend in the middle of a transaction was terminated').toBeDefined();

    // 2. A real restart of the server, mid-load: every session gets 57P01, then connections are refused.
    await sleep(1000);
    await cluster.restart();
    phase = 'after';
    await sleep(3000);
    stop = true;
    await Promise.all(writers);

    const exits = apis.flatMap((api) => api.exits);
    expect(exits, `API processes exited: ${apis.map((a) => a.output.join('')).join('\n')}`).toEqual([]);
    expect(failures.length, 'the faults cost some requests').toBeGreaterThan(0);
    expect(failures.filter((f) => f !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect([...statuses], 'a write that failed as a whole is HTTP 503').toEqual([503]);
    expect(succeededAfter, 'writes succeed once PostgreSQL is back').toBeGreaterThan(0);

    const reports = await direct<{ title: string; n: number }>(`select title_en as title, count(*)::int as n from reports where title_en like 'restart-w%' group by title_en`);
    const observations = await direct<{ period: string; n: number }>(
      `select to_char(period_start, 'YYYY-MM-DD') as period, count(*)::int as n from observations where country_iso3 = 'KAZ' and indicator_code = $1 and period_start >= '2100-01-01' group by period_start`,
      [monthly.code],
    );
    const stored = { reports: new Map(reports.map((r) => [r.title, r.n])), observations: new Map(observations.map((o) => [o.period, o.n])) };
    const lost = [...[...acknowledged.reports].filter((t) => !stored.reports.has(t)), ...[...acknowledged.observations].filter((p) => !stored.observations.has(p))];
    const duplicates = [...reports.filter((r) => r.n > 1).map((r) => r.title), ...observations.filter((o) => o.n > 1).map((o) => o.period)];
    if (process.env.FAULT_TEST_DEBUG) console.log({ acknowledged: acknowledged.reports.size + acknowledged.observations.size, failures: failures.length, statuses: [...statuses], succeededAfter, terminated });
    expect(acknowledged.reports.size + acknowledged.observations.size).toBeGreaterThan(WRITERS);
    expect(lost).toEqual([]);
    expect(duplicates).toEqual([]);

    // 3. Live alerts after the restart, on both processes: each one's LISTEN connection is back.
    for (const api of apis) {
      let ready = false;
      for (let i = 0; i < 60 && !ready; i++) {
        ready = (await fetch(`${api.url}/readyz`)).status === 200;
        if (!ready) await sleep(250);
      }
      expect(ready, `${api.url} ready again`).toBe(true);
    }
    const raised = await recordObservation(apis[0]!, '2099-01', monthly.critical + 10, 'restart-alert');
    expect(raised.errors).toBeUndefined();
    const [alert] = raised.data!.recordObservations.alerts as { id: string }[];
    expect(alert).toBeDefined();
    try {
      for (const subscription of subscriptions) {
        const event = await subscription.next((e) => e.alertRaised.id === alert!.id, 15_000);
        expect(event.alertRaised.id).toBe(alert!.id);
      }
    } finally {
      await Promise.all(subscriptions.map((s) => s.close()));
    }
    expect(apis.flatMap((api) => api.exits)).toEqual([]);
  });

  it('an alert committed while the LISTEN connections are down reaches the subscribers of both processes once they reconnect', async () => {
    const contributor = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['contributor'] })}` };
    const analyst = `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-1', org: 'kaz-ct', roles: ['analyst'] })}`;
    const subscriptions = await Promise.all(
      apis.map((api) => subscribe<{ alertRaised: { id: string } }>(api.url, 'subscription { alertRaised(country: "KAZ") { id } }', {}, analyst)),
    );
    const admin = new pg.Client({ connectionString: cluster.url.replace(/\/ctewn$/, '/postgres') });
    await admin.connect();
    try {
      // Pooled connections stay open; new ones (the LISTEN connections' reconnects among them) are refused.
      await Promise.all(Array.from({ length: 8 }, () => gql(apis[0]!.url, '{ indicators { code } countries { iso3 } }')));
      await admin.query('alter database ctewn allow_connections false');
      let alertId: string | undefined;
      try {
        const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = 'ctewn' and query ilike 'listen%'`);
        expect(killed.rowCount).toBe(apis.length);
        for (const api of apis) {
          let down = false;
          for (let i = 0; i < 40 && !down; i++) {
            down = (await fetch(`${api.url}/readyz`)).status === 503;
            if (!down) await sleep(100);
          }
          expect(down, `${api.url} is not ready while its LISTEN connection is down`).toBe(true);
        }
        const write = await gql(
          apis[0]!.url,
          'mutation($input: [ObservationInput!]!) { recordObservations(input: $input, idempotencyKey: "listen-down") { alerts { id } } }',
          { input: [{ indicator: other.code, country: 'KAZ', period: '2099-02', value: other.critical + 10, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
          contributor,
        );
        expect(write.errors).toBeUndefined();
        alertId = (write.data!.recordObservations.alerts as { id: string }[])[0]?.id;
        expect(alertId).toBeDefined();
        // Its NOTIFY found no listener anywhere.
        await sleep(300);
        expect(subscriptions.flatMap((s) => s.events).filter((e) => e.alertRaised.id === alertId)).toEqual([]);
      } finally {
        await admin.query('alter database ctewn allow_connections true');
      }
      for (const subscription of subscriptions) {
        const event = await subscription.next((e) => e.alertRaised.id === alertId, 15_000);
        expect(event.alertRaised.id).toBe(alertId);
        // Delivered once, not once per replay and NOTIFY.
        await sleep(200);
        expect(subscription.events.filter((e) => e.alertRaised.id === alertId)).toHaveLength(1);
      }
    } finally {
      await admin.end();
      await Promise.all(subscriptions.map((s) => s.close()));
    }
    expect(apis.flatMap((api) => api.exits)).toEqual([]);
  });

  it('a transaction left idle past the server’s idle-in-transaction timeout (25P03) fails that transaction only', async () => {
    const database = await openDatabase({ databaseUrl: cluster.url, dataDir: 'unused', idleInTransactionTimeoutMs: 200 });
    try {
      const failed = await database.db
        .transaction(async (tx) => {
          await tx.execute(sql`select 1`);
          await sleep(800);
          await tx.execute(sql`select 1`);
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failed).toBeDefined();
      expect(databaseUnavailable(failed)).toBe(true);
      // The pool discards the dead connection; the next statement gets a good one.
      const rows = await database.db.execute(sql`select 1 as one`);
      expect((rows as unknown as { rows: unknown[] }).rows).toEqual([{ one: 1 }]);
    } finally {
      await database.close();
    }
  });
});
