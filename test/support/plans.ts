import pg from 'pg';
import { openDatabase } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { seedSampleData, type SeedOptions } from '../../src/db/seed/index.js';
import { admin } from './app.js';

/**
 * The benchmark's EXPLAIN guard (bench/lib/explain.mjs) as a test: capture the statements the API sends
 * for an operation, EXPLAIN each on a realistic amount of data, and judge the plan by the guard's rules.
 * A statement that reads a whole large table, or sorts more rows than its page, gets slower with every
 * row the network records; the guard stops a benchmark run on it, this stops the change that brings it.
 */

export interface Statement {
  text: string;
  values: unknown[];
}

/** A database of its own, migrated, seeded with `options` and analyzed (plans follow the statistics). */
export async function seededDatabase(options: SeedOptions): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${template.pathname.slice(1)}_plans_${process.pid}`;
  await admin(`drop database if exists "${name}" with (force)`);
  await admin(`create database "${name}"`);
  const url = new URL(template);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused' });
  try {
    await migrate(database);
    await seedSampleData(database.db, options);
    await database.pool!.query('vacuum analyze');
  } finally {
    await database.close();
  }
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`) };
}

/**
 * Every statement node-postgres sends from this process while `during` runs (the API under test runs in
 * it), as sent: the text and its parameters. Wraps Client.prototype.query, as bench/lib/sql-capture.mjs
 * does in the benchmark's servers, so it sees whatever path built the SQL.
 */
export async function captureStatements<T>(during: () => Promise<T>): Promise<{ result: T; statements: Statement[] }> {
  const statements: Statement[] = [];
  const original = pg.Client.prototype.query;
  const patched = function (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) {
    const q = (typeof config === 'string' ? { text: config } : (config ?? {})) as { text?: string; values?: unknown[] };
    if (q.text) statements.push({ text: q.text, values: q.values ?? (Array.isArray(values) ? values : []) });
    return (original as (...args: unknown[]) => unknown).call(this, config, values, callback);
  };
  pg.Client.prototype.query = patched as typeof original;
  try {
    return { result: await during(), statements };
  } finally {
    pg.Client.prototype.query = original;
  }
}

/** Sorting fewer rows costs microseconds and does not grow with the data (the guard's SORT_FLOOR). */
const SORT_FLOOR = 100;
const CONTROL = /^\s*(begin|commit|rollback|start\s+transaction|savepoint|release|listen|unlisten|notify|set|select\s+pg_advisory)/i;
const DATA = /^\s*(select|with|insert|update|delete)\b/i;
const WRITES = /^\s*(insert|update|delete)\b|\b(insert\s+into|delete\s+from)\b|\bupdate\s+"?\w+"?(\s+(as\s+)?\w+)?\s+set\b/i;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  'Sort Key'?: string[];
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Plan Rows'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

export interface Verdict {
  statement: string;
  problems: string[];
  /** EXPLAIN ANALYZE's execution time (reads), else null. */
  ms: number | null;
  /** The plan in text form (with actual rows for reads), for the failure message. */
  plan: string;
}

function nodesOf(node: PlanNode, out: PlanNode[] = []): PlanNode[] {
  out.push(node);
  for (const child of node.Plans ?? []) nodesOf(child, out);
  return out;
}

/** The guard's rules, on one plan: see bench/lib/explain.mjs. */
export function problemsOf(plan: PlanNode, facts: { large: Map<string, number>; gin: Set<string> }, page: number, analyzed: boolean): string[] {
  const rows = (n: PlanNode) => (analyzed ? n['Actual Rows'] : n['Plan Rows']) ?? 0;
  const problems: string[] = [];
  for (const n of nodesOf(plan)) {
    const table = n['Relation Name'] ? facts.large.get(n['Relation Name']) : undefined;
    if (n['Node Type'] === 'Seq Scan' && table) problems.push(`Seq Scan of ${n['Relation Name']} (${table} rows)`);
    const scan = /^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(n['Node Type']);
    const read = rows(n) * (analyzed ? (n['Actual Loops'] ?? 1) : 1) + (n['Rows Removed by Filter'] ?? 0);
    if (scan && table && !n['Index Cond'] && !n['Recheck Cond'] && read > table / 2) problems.push(`${n['Node Type']} of all of ${n['Relation Name']} (${read} of ${table} rows)`);
    if (n['Node Type'] === 'Sort' && n.Plans?.[0]) {
      const below = nodesOf(n.Plans[0]);
      const sorted = rows(n.Plans[0]);
      const fromLarge = below.some((b) => b['Relation Name'] && facts.large.has(b['Relation Name']));
      // A full-text match set comes off a GIN index unordered: no btree can give its order.
      const fullText = below.some((b) => b['Index Name'] && facts.gin.has(b['Index Name']));
      if (sorted > page + 1 && sorted > SORT_FLOOR && fromLarge && !fullText) problems.push(`Sort of ${sorted} rows for a page of ${page} (keys ${(n['Sort Key'] ?? []).join(', ')})`);
    }
  }
  return problems;
}

/**
 * EXPLAINs each captured data statement on `url` and judges it: reads with ANALYZE (actual rows), writes
 * plan-only (nothing is executed), all inside a transaction that is rolled back.
 */
export async function explainStatements(url: string, statements: readonly Statement[], options: { page: number; largeRows: number }): Promise<Verdict[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const large = await client.query<{ relname: string; n: string }>(
      `select relname, reltuples::bigint as n from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace and reltuples > $1`,
      [options.largeRows],
    );
    const gin = await client.query<{ relname: string }>(`select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid join pg_am a on a.oid = i.relam where a.amname = 'gin'`);
    const facts = { large: new Map(large.rows.map((r) => [r.relname, Number(r.n)])), gin: new Set(gin.rows.map((r) => r.relname)) };
    const verdicts: Verdict[] = [];
    await client.query('begin');
    for (const s of statements) {
      if (CONTROL.test(s.text) || !DATA.test(s.text)) continue;
      const analyzed = !WRITES.test(s.text);
      const { rows } = await client.query(`explain (${analyzed ? 'analyze, ' : ''}format json) ${s.text}`, s.values as unknown[]);
      const [explained] = rows[0]['QUERY PLAN'] as [{ Plan: PlanNode; 'Execution Time'?: number }];
      const { rows: text } = await client.query(`explain ${analyzed ? '(analyze) ' : ''}${s.text}`, s.values as unknown[]);
      verdicts.push({
        statement: s.text.replace(/\s+/g, ' ').trim(),
        problems: problemsOf(explained.Plan, facts, options.page, analyzed),
        ms: explained['Execution Time'] ?? null,
        plan: text.map((r) => r['QUERY PLAN']).join('\n'),
      });
    }
    return verdicts;
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  }
}
