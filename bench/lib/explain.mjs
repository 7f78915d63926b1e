// The fairness guard: every statement each system sent for a workload (captured by lib/sql-capture.mjs)
// is EXPLAINed once on the benchmark data, in the same session state it ran in (PostGraphile's role and
// jwt.claims settings are replayed), and judged. A comparison where one side reads a whole large table
// or sorts far more rows than it returns, where an index could serve, measures the set-up, not the
// system: the run stops instead.
//   - Reads: EXPLAIN (ANALYZE, FORMAT JSON), actual rows, inside a transaction that is rolled back.
//   - Writes: EXPLAIN (FORMAT JSON), plan only (estimated rows); nothing is executed.
// Fails: a Seq Scan of a large table (more rows than `largeRows`, by the statistics), or an index scan
// without a condition that returns most of it; a Sort whose input
// holds more rows than the workload's page (+1, the look-ahead row) and than SORT_FLOOR, and comes from a
// large table, unless
// the input is a full-text match (a GIN index, or the search function, returns matches unordered: no
// btree can serve that order).
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Sorting fewer rows costs microseconds and does not grow with the data (a series has one row per period). */
const SORT_FLOOR = 100;
const SKIP = /^\s*(begin|commit|rollback|start\s+transaction|savepoint|release\s+savepoint|rollback\s+to|listen|unlisten|notify)\b/i;
const SESSION = /\bset_config\s*\(|^\s*set\s+(local\s+)?\w/i;
const DATA = /^\s*(select|with|insert|update|delete)\b/i;
const WRITES = /^\s*(insert|update|delete)\b|\b(insert\s+into|delete\s+from)\b|\bupdate\s+"?\w+"?(\s+(as\s+)?\w+)?\s+set\b/i;

/** The statements captured between the last 'on' and the following 'off' marker, by connection, in order. */
export function readCapture(file) {
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const on = lines.map((l) => l.capture).lastIndexOf('on');
  const window = lines.slice(on + 1).filter((l) => !l.capture);
  const byClient = new Map();
  for (const s of window) {
    if (!byClient.has(s.client)) byClient.set(s.client, []);
    byClient.get(s.client).push(s);
  }
  return [...byClient.values()];
}

/** Tables with more rows than `largeRows` (planner statistics, after VACUUM ANALYZE), and GIN index names. */
export async function tableFacts(url, largeRows) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const large = await client.query(
      `select c.relname, c.reltuples::bigint as n from pg_class c where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and c.reltuples > $1 order by 1`,
      [largeRows],
    );
    const gin = await client.query(`select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid join pg_am a on a.oid = i.relam where a.amname = 'gin'`);
    return { large: new Map(large.rows.map((r) => [r.relname, Number(r.n)])), gin: new Set(gin.rows.map((r) => r.relname)), largeRows };
  } finally {
    await client.end();
  }
}

const rowsOf = (node, analyzed) => (analyzed ? node['Actual Rows'] : node['Plan Rows']);
const describe = (n) => `${n['Node Type']}${n['Relation Name'] ? ` ${n['Relation Name']}` : ''}${n['Index Name'] ? ` (${n['Index Name']})` : ''}`;

function nodesOf(node, out = []) {
  out.push(node);
  for (const child of node.Plans ?? []) nodesOf(child, out);
  return out;
}

/** The guard's verdict on one plan. */
export function judgePlan(plan, { page, facts, analyzed, search }) {
  const problems = [];
  const all = nodesOf(plan);
  // InitPlans that return a search function's result ("InitPlan 1 (returns $0)" over a ProjectSet).
  const matchParams = new Set(
    all
      .filter((n) => n['Parent Relationship'] === 'InitPlan' && nodesOf(n).some((b) => b['Node Type'] === 'ProjectSet' || b['Node Type'] === 'Function Scan'))
      .flatMap((n) => [...String(n['Subplan Name'] ?? '').matchAll(/\$(\d+)/g)].map((m) => m[1])),
  );
  for (const n of all) {
    if (n['Node Type'] === 'Seq Scan' && facts.large.has(n['Relation Name'])) {
      problems.push(`Seq Scan of ${n['Relation Name']} (${facts.large.get(n['Relation Name'])} rows)`);
    }
    // A whole-table read through an index: no condition narrows it and it returns most of the table.
    const scan = /^(Index Scan|Index Only Scan|Bitmap Heap Scan)$/.test(n['Node Type']);
    const table = facts.large.get(n['Relation Name']);
    const unbounded = !n['Index Cond'] && !n['Recheck Cond'];
    const read = (rowsOf(n, analyzed) ?? 0) * (analyzed ? n['Actual Loops'] ?? 1 : 1) + (n['Rows Removed by Filter'] ?? 0);
    if (scan && table && unbounded && read > table / 2) problems.push(`${n['Node Type']} of all of ${n['Relation Name']} (${read} of ${table} rows)`);
    if (n['Node Type'] === 'Sort') {
      // The rows sorted come from the Sort's outer input, not from an InitPlan hanging off it.
      const input = n.Plans?.find((c) => !/^(InitPlan|SubPlan)$/.test(c['Parent Relationship'])) ?? n.Plans?.[0];
      const below = input ? nodesOf(input) : [];
      const sorted = input ? rowsOf(input, analyzed) : 0;
      const fromLarge = below.some((b) => facts.large.has(b['Relation Name']));
      // A full-text match set has no order an index could give: it comes off a GIN index, or out of the
      // search function PostGraphile's schema calls (a Function Scan / ProjectSet of its result), or as
      // primary-key lookups `id = ANY ($n)` of the ids such a function returned in an InitPlan (with RLS,
      // the SECURITY DEFINER helper's matches), wherever in the plan that InitPlan hangs.
      const readsMatches = below.some((b) => [...String(b['Index Cond'] ?? '').matchAll(/= ANY \(\$(\d+)\)/g)].some((m) => matchParams.has(m[1])));
      const fullText = search && (readsMatches || below.some((b) => facts.gin.has(b['Index Name']) || b['Node Type'] === 'Function Scan' || b['Node Type'] === 'ProjectSet'));
      if (sorted > page + 1 && sorted > SORT_FLOOR && fromLarge && !fullText) problems.push(`Sort of ${sorted} rows for a page of ${page} (keys ${(n['Sort Key'] ?? []).join(', ')})`);
    }
  }
  const shown = all.filter((n) => /Scan|Sort|Join|Nested Loop|Aggregate|Unique|Limit|Function/.test(n['Node Type']));
  const counts = new Map();
  for (const n of shown) {
    const d = describe(n);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return {
    nodes: [...counts].map(([d, c]) => (c > 1 ? `${d} ×${c}` : d)).join('; '),
    rows: rowsOf(plan, analyzed),
    problems,
  };
}

/**
 * Replays one system's captured statements for one workload on the benchmark database and judges each
 * plan. Returns one row per data statement: { statement, nodes, rows, analyzed, pass, problems }.
 */
export async function explainCaptured(url, groups, { page, facts, search = false }) {
  const rows = [];
  for (const statements of groups) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('begin');
      for (const s of statements) {
        if (SKIP.test(s.text)) continue;
        if (SESSION.test(s.text)) {
          await client.query(s.text, s.values);
          continue;
        }
        if (!DATA.test(s.text)) continue;
        const analyzed = !WRITES.test(s.text);
        const statement = s.text.replace(/\s+/g, ' ').trim();
        await client.query('savepoint guard');
        try {
          const { rows: out } = await client.query(`explain (${analyzed ? 'analyze, ' : ''}format json) ${s.text}`, s.values);
          const plan = out[0]['QUERY PLAN'][0].Plan;
          const verdict = judgePlan(plan, { page, facts, analyzed, search });
          rows.push({ statement, analyzed, ...verdict, pass: verdict.problems.length === 0 });
        } catch (error) {
          rows.push({ statement, analyzed, nodes: '', rows: null, problems: [`EXPLAIN failed: ${error.message}`], pass: false });
        } finally {
          await client.query('rollback to savepoint guard');
        }
      }
    } finally {
      await client.query('rollback').catch(() => undefined);
      await client.end();
    }
  }
  return rows;
}
