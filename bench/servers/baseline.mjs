// The raw-SQL baseline: a minimal Node HTTP server answering each workload with one hand-written
// statement (JSON built by PostgreSQL with json_agg), behind the same token check and the same row rule
// as the API (src/db/visibility.ts, rewritten here as SQL text) and the same revision rule (a viewer reads
// the latest revision of a value that it may see). It is the practical limit: no GraphQL,
// no field rules, no access log, reference data cached in memory, and ORDER BYs written to match an
// index (reports: the migrated `DESC NULLS LAST` ones; observations: the bench's `period_start DESC`), so
// PostgreSQL reads a page off an index instead of sorting (run.mjs's EXPLAIN guard checks it).
//   POST /w1 … /w7 with the workload's variables as JSON; GET /__stats counts statements sent.
import { createServer } from 'node:http';
import pg from 'pg';
import { countQueries, createVerifier } from '../lib/verify.mjs';
import { latestVisibleRevision, visible } from '../lib/visibility-sql.mjs';

const statements = countQueries(pg);
// JIT off, as the API has it: short index-driven statements never pay back its compile time.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PG_POOL_MAX ?? 10), options: '-c jit=off' });
const verify = createVerifier();

/** The viewer's organization must exist and be active (src/auth/authenticate.ts). */
const VIEWER_ACTIVE = `coalesce((select o.active from organizations o where o.id = $1), false)`;

const iso = (col) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const title = (r) => `coalesce(${r}.title_en, ${r}.title_ru)`;
const period = (o, i) =>
  `case ${i}.periodicity when 'MONTHLY' then to_char(${o}.period_start, 'YYYY-MM') when 'QUARTERLY' then to_char(${o}.period_start, 'YYYY') || '-Q' || extract(quarter from ${o}.period_start) else to_char(${o}.period_start, 'YYYY') end`;
// THE level rule of src/alerts/levels.ts, judged per row in SQL: the country's own thresholds for the
// indicator (indicator_country_thresholds), else the indicator's; read against the value or, on the
// PER_100K basis, against a COUNT's value per 100,000 of the country's population in the period's year
// (country_populations: that year's figure, else the nearest year before, else the earliest after); no
// figure, no rate: NONE. Each lookup is one primary-key probe, made only for the rows it decides.
const YEAR = (o) => `extract(year from ${o}.period_start)::int`;
const population = (o) => `coalesce(
    (select cp.population from country_populations cp where cp.country_iso3 = ${o}.country_iso3 and cp.year <= ${YEAR(o)} order by cp.year desc limit 1),
    (select cp.population from country_populations cp where cp.country_iso3 = ${o}.country_iso3 order by cp.year limit 1))`;
/** A COUNT's value per 100,000 population in the period's year (null for measures and without a figure). */
const rate = (o, i) => `case when ${i}.scale = 'COUNT' then ${o}.value / nullif(${population(o)}, 0)::float8 * 100000 end`;
/** What the thresholds are compared with: the value, or its rate on the PER_100K basis. */
const measured = (o, i) => `case when ${i}.threshold_basis = 'PER_100K' then ${rate(o, i)} else ${o}.value end`;
const reaches = (v, i, t) => `((${i}.worse_direction = 'HIGHER' and ${v} >= ${t}) or (${i}.worse_direction = 'LOWER' and ${v} <= ${t}))`;
const level = (o, i) => `(select case when m.v is null then 'NONE' when ${reaches('m.v', i, 'm.critical')} then 'CRITICAL' when ${reaches('m.v', i, 'm.warning')} then 'WARNING'
      when ${reaches('m.v', i, 'm.watch')} then 'WATCH' else 'NONE' end
    from (select ${measured(o, i)} as v, coalesce(ct.threshold_watch, ${i}.threshold_watch) as watch, coalesce(ct.threshold_warning, ${i}.threshold_warning) as warning,
            coalesce(ct.threshold_critical, ${i}.threshold_critical) as critical
          from (values (1)) as one(x) left join indicator_country_thresholds ct on ct.indicator_code = ${i}.code and ct.country_iso3 = ${o}.country_iso3) m)`;
const countriesOf = (r) =>
  `(select coalesce(json_agg(json_build_object('iso3', rc.country_iso3) order by rc.country_iso3), '[]') from report_countries rc where rc.report_id = ${r}.id)`;

// W7: a country's overview in one statement, in the API's shape: each source's latest visible value of
// every series that applies to the country (DISTINCT ON (source) over the pair's values, a few dozen) with
// the same source's value of the period before and a year before (index probes), the open alerts by level,
// the newest reports per topic (an ORDER BY … LIMIT per topic walking reports_published_idx).
const TOPICS = ['ONLINE_PROPAGANDA', 'RELIGIOUS_RADICALIZATION', 'VIOLENT_EXTREMISM', 'FOREIGN_TERRORIST_FIGHTERS', 'AFGHANISTAN', 'TERRORISM_FINANCING', 'BORDER_SECURITY', 'PRISONS_REHABILITATION', 'SANCTIONS_IMPLEMENTATION', 'WORKPLAN'];
/** THE applicability rule of src/db/applicability.ts (appliesTo). */
const applies = (indicator, country) => `(exists (select 1 from indicator_countries n where n.indicator_code = ${indicator} and n.country_iso3 = ${country})
    or exists (select 1 from indicator_country_groups d join country_group_members m on m.group_code = d.group_code where d.indicator_code = ${indicator} and m.country_iso3 = ${country}))`;
const step = (i) => `case ${i}.periodicity when 'MONTHLY' then interval '1 month' when 'QUARTERLY' then interval '3 months' else interval '1 year' end`;
/** The same source's value of an earlier period, as the viewer reads it (row rule, revision rule). */
const valueAt = (l, periodStart) => `(select p.value from observations p where p.indicator_code = ${l}.indicator_code and p.country_iso3 = ${l}.country_iso3
    and p.source_org_id = ${l}.source_org_id and p.period_start = (${periodStart})::date and ${visible('p', 'observation')} and ${latestVisibleRevision('p')})`;
const overview = () => `with latest as (
         select o.* from indicators i cross join lateral (
           select distinct on (o.source_org_id) o.* from observations o
           where o.indicator_code = i.code and o.country_iso3 = $3 and ${visible('o', 'observation')} and ${latestVisibleRevision('o')}
           order by o.source_org_id, o.period_start desc) o
         where ${applies('i.code', '$3')}),
       series as (
         select l.indicator_code, json_agg(json_build_object(
             'current', json_build_object('id', l.id, 'period', ${period('l', 'i')}, 'value', l.value, 'level', ${level('l', 'i')}, 'status', l.status, 'source', json_build_object('acronym', s.acronym)),
             'changeFromPrevious', l.value - ${valueAt('l', `l.period_start - ${step('i')}`)},
             'changeFromYearBefore', l.value - ${valueAt('l', "l.period_start - interval '1 year'")}) order by l.source_org_id) as list
         from latest l join indicators i on i.code = l.indicator_code join organizations s on s.id = l.source_org_id
         group by l.indicator_code)
       select json_build_object('data', json_build_object('overview', json_build_object(
         'country', (select json_build_object('iso3', c.iso3, 'name', c.name_en) from countries c where c.iso3 = $3),
         'openAlerts', (select json_build_object('watch', count(*) filter (where a.level = 'WATCH'), 'warning', count(*) filter (where a.level = 'WARNING'), 'critical', count(*) filter (where a.level = 'CRITICAL'))
            from alerts a left join alert_triage t on t.alert_id = a.id and t.organization_id = $1
            where a.country_iso3 = $3 and not a.historical and coalesce(t.state, 'NEW') not in ('DISMISSED', 'CLOSED')
              and (a.tlp = 'CLEAR' or not exists (select 1 from observations w where w.id = any(a.observation_ids) and not ${visible('w', 'observation')}))
              and not (a.superseded_at is not null and (a.superseded_by_observation_id is null or exists (select 1 from observations s where s.id = a.superseded_by_observation_id and ${visible('s', 'observation')})))
              and ${applies('a.indicator_code', 'a.country_iso3')}),
         'themes', (select json_agg(json_build_object('theme', t.theme, 'indicators', t.indicators) order by t.first) from (
            select i.theme, min(i.code) as first, json_agg(json_build_object('indicator', json_build_object('code', i.code, 'name', i.name_en, 'unit', i.unit), 'series', coalesce(s.list, '[]')) order by i.code) as indicators
            from indicators i left join series s on s.indicator_code = i.code group by i.theme) t),
         'latestReports', (select json_agg(json_build_object('topic', t.key, 'reports', (
            select coalesce(json_agg(json_build_object('id', r.id, 'title', ${title('r')}, 'publishedAt', ${iso('r.published_at')}, 'tlp', r.tlp) order by r.published_at desc, r.id desc), '[]')
            from (select * from reports r where r.retracted_at is null and t.key = any(r.topics) and ${visible('r', 'report')}
                    and exists (select 1 from report_countries rc where rc.report_id = r.id and rc.country_iso3 = $3)
                  order by r.published_at desc nulls last, r.id desc nulls last limit $4) r)) order by t.i)
            from unnest($5::text[]) with ordinality as t(key, i)))))::text as body
       where ${VIEWER_ACTIVE}`;

const SQL = {
  // W1: the latest visible reports with title, date, marking, countries, author.
  w1: `select json_build_object('data', json_build_object('reports', json_build_object('edges', coalesce(json_agg(json_build_object('node', json_build_object(
         'id', r.id, 'title', ${title('r')}, 'publishedAt', ${iso('r.published_at')}, 'tlp', r.tlp, 'countries', ${countriesOf('r')},
         'author', json_build_object('id', o.id, 'acronym', o.acronym))) order by r.published_at desc, r.id desc), '[]'))))::text as body
       from (select * from reports r where ${VIEWER_ACTIVE} and r.retracted_at is null and ${visible('r', 'report')}
             order by r.published_at desc nulls last, r.id desc nulls last limit $3) r
       join organizations o on o.id = r.author_org_id`,
  // W2: one country, the last N values of each indicator for it.
  w2: `select json_build_object('data', json_build_object(
         'country', (select json_build_object('iso3', c.iso3, 'name', c.name_en) from countries c where c.iso3 = $3),
         'indicators', (select json_agg(json_build_object('code', i.code, 'name', i.name_en, 'unit', i.unit, 'observations', json_build_object('edges',
            (select coalesce(json_agg(json_build_object('node', json_build_object('period', ${period('o', 'i')}, 'value', o.value, 'level', ${level('o', 'i')}, 'tlp', o.tlp)) order by o.period_start desc, o.source_org_id desc), '[]')
             from (select * from observations o where ${VIEWER_ACTIVE} and o.indicator_code = i.code and o.country_iso3 = $3 and ${visible('o', 'observation')} and ${latestVisibleRevision('o')}
                   order by o.period_start desc, o.source_org_id desc limit $4) o))) order by i.code) from indicators i)))::text as body`,
  // W3: one report, its indicators and each one's latest visible value for the given countries.
  w3: `select json_build_object('data', json_build_object('report', (select json_build_object(
         'id', r.id, 'title', ${title('r')}, 'summary', r.summary, 'publishedAt', ${iso('r.published_at')}, 'tlp', r.tlp,
         'countries', (select json_agg(json_build_object('iso3', c.iso3, 'name', c.name_en) order by c.iso3) from report_countries rc join countries c on c.iso3 = rc.country_iso3 where rc.report_id = r.id),
         'author', (select json_build_object('acronym', a.acronym) from organizations a where a.id = r.author_org_id),
         'indicators', (select coalesce(json_agg(json_build_object('code', i.code, 'name', i.name_en, 'unit', i.unit, 'latestValues',
             (select coalesce(json_agg(json_build_object('period', ${period('o', 'i')}, 'value', o.value, 'level', ${level('o', 'i')}, 'tlp', o.tlp, 'country', json_build_object('iso3', o.country_iso3)) order by o.country_iso3), '[]')
              from unnest($4::text[]) as c(iso3) cross join lateral (
                    select o.* from observations o
                    where o.indicator_code = i.code and o.country_iso3 = c.iso3 and ${visible('o', 'observation')} and ${latestVisibleRevision('o')}
                    order by o.period_start desc, o.recorded_at desc limit 1) o)) order by i.code), '[]')
           from report_indicators ri join indicators i on i.code = ri.indicator_code where ri.report_id = r.id))
         from reports r where ${VIEWER_ACTIVE} and r.id = $3 and ${visible('r', 'report')})))::text as body`,
  // W4: organizations, each with its latest visible reports and their countries.
  w4: `select json_build_object('data', json_build_object('organizations', json_build_object('edges', json_agg(json_build_object('node', json_build_object(
         'id', o.id, 'acronym', o.acronym, 'kind', o.kind, 'reports', json_build_object('edges',
           (select coalesce(json_agg(json_build_object('node', json_build_object('id', r.id, 'title', ${title('r')}, 'publishedAt', ${iso('r.published_at')}, 'tlp', r.tlp, 'countries', ${countriesOf('r')}))
                   order by r.published_at desc, r.id desc), '[]')
            from (select * from reports r where r.author_org_id = o.id and r.retracted_at is null and ${visible('r', 'report')}
                  order by r.published_at desc nulls last, r.id desc nulls last limit $4) r)))) order by o.id))))::text as body
       from (select * from organizations o where ${VIEWER_ACTIVE} order by o.id limit $3) o`,
  // W6: full-text search with a country and a date filter, a page and the total.
  w6: search(`and r.id in (select rc.report_id from report_countries rc where rc.country_iso3 = $4)`),
  w6all: search(`and $4::text is null`),
  // W7: one country's overview (the helpers above).
  w7: overview(),
};

// W6 with and without its country filter: two statements, as one writes them by hand (an `$4 is null or
// exists (…)` in one statement makes PostgreSQL hash the whole of report_countries).
function search(countryFilter) {
  return `with matched as (
         select r.* from reports r
         where ${VIEWER_ACTIVE} and r.retracted_at is null and r.search_vector @@ report_search_query($3) and ${visible('r', 'report')}
           ${countryFilter}
           and ($5::timestamptz is null or r.published_at >= $5))
       select json_build_object('data', json_build_object('reports', json_build_object(
         'totalCount', (select count(*) from matched),
         'edges', (select coalesce(json_agg(json_build_object('node', json_build_object('id', p.id, 'title', ${title('p')}, 'publishedAt', ${iso('p.published_at')}, 'tlp', p.tlp,
              'author', (select json_build_object('acronym', a.acronym) from organizations a where a.id = p.author_org_id), 'countries', ${countriesOf('p')}))
              order by p.published_at desc, p.id desc), '[]')
           from (select * from matched order by published_at desc nulls last, id desc nulls last limit $6) p),
         'hasNextPage', (select count(*) > $6 from (select 1 from matched limit $6 + 1) n))))::text as body`;
}

const ARGS = {
  w1: (v) => [v.first],
  w2: (v) => [v.country, v.n],
  w3: (v) => [v.id, v.countries],
  w4: (v) => [v.orgs, v.n],
  w6: (v) => [v.q, v.country ?? null, v.from ?? null, v.first],
  w7: (v) => [v.country, v.n, TOPICS],
};
ARGS.w6all = ARGS.w6;

async function read(name, claims, vars) {
  if (name === 'w6' && !vars.country) name = 'w6all';
  const { rows } = await pool.query(SQL[name], [claims.org, claims.sub, ...ARGS[name](vars)]);
  return rows[0]?.body ?? '{"data":null}';
}

// ---- W5: recordObservations, the same steps as src/db/queries/observation-writes.ts in 6 statements ----

let reference;
async function loadReference() {
  const [indicators, countries] = await Promise.all([pool.query('select * from indicators'), pool.query('select iso3 from countries')]);
  reference = { indicators: new Map(indicators.rows.map((i) => [i.code, i])), countries: new Set(countries.rows.map((c) => c.iso3)) };
}

const LEVELS = ['NONE', 'WATCH', 'WARNING', 'CRITICAL'];
const TLPS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER_STRICT', 'RED'];
const rank = (l) => LEVELS.indexOf(l ?? 'NONE');
/** A point's level against its series' thresholds (`measured`: the value or its rate, as WRITE_OBSERVATIONS read it; null: NONE). */
function levelOf(measured, s) {
  if (measured === null || measured === undefined) return 'NONE';
  const r = (t) => (s.worse_direction === 'HIGHER' ? measured >= t : measured <= t);
  return r(s.threshold_critical) ? 'CRITICAL' : r(s.threshold_warning) ? 'WARNING' : r(s.threshold_watch) ? 'WATCH' : 'NONE';
}
const MONTHS = { MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12 };
function previousStart(start, periodicity) {
  const [y, m] = start.split('-').map(Number);
  const index = y * 12 + (m - 1) - MONTHS[periodicity];
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}
function parsePeriod(text) {
  const m = /^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$/.exec(text);
  if (!m) return null;
  if (m[2]) return { periodicity: 'MONTHLY', start: `${m[1]}-${m[2]}-01` };
  if (m[3]) return { periodicity: 'QUARTERLY', start: `${m[1]}-${String((Number(m[3]) - 1) * 3 + 1).padStart(2, '0')}-01` };
  return { periodicity: 'ANNUAL', start: `${m[1]}-01-01` };
}
const formatPeriod = (start, p) => (p === 'ANNUAL' ? start.slice(0, 4) : p === 'QUARTERLY' ? `${start.slice(0, 4)}-Q${Math.floor((Number(start.slice(5, 7)) - 1) / 3) + 1}` : start.slice(0, 7));

/**
 * The alert rules of src/alerts/rules.ts for one new point and the (up to 12) points before it, newest
 * first. `spec` is the written row: its series' thresholds in force, basis and options, as
 * WRITE_OBSERVATIONS read them; each point carries `measured` (its value or, on the PER_100K basis, its rate).
 */
function evaluate(spec, point, before, existing) {
  const out = [];
  const lvl = levelOf(point.measured, spec);
  const prev = before[0];
  const prevLevel = prev && prev.period_start === previousStart(point.period_start, spec.periodicity) ? levelOf(prev.measured, spec) : 'NONE';
  const rate = spec.threshold_basis === 'PER_100K' ? point.rate : null;
  if (rank(lvl) > rank(prevLevel) && rank(lvl) > rank(existing.THRESHOLD)) {
    const threshold = lvl === 'CRITICAL' ? spec.threshold_critical : lvl === 'WARNING' ? spec.threshold_warning : spec.threshold_watch;
    out.push({ rule: 'THRESHOLD', level: lvl, value: point.value, threshold, rate, baseline_mean: null, baseline_std_dev: null, z_score: null, tlp: point.tlp, observation_ids: [point.id], visible: true });
  }
  // TREND fires at the watch level or above unless the indicator opts out (rules.ts trendBelowWatch).
  if (before.length >= 6 && (spec.trend_below_watch || lvl !== 'NONE')) {
    const mean = before.reduce((s, p) => s + p.value, 0) / before.length;
    const variance = before.reduce((s, p) => s + (p.value - mean) ** 2, 0) / (before.length - 1);
    const sd = Math.max(Math.sqrt(variance), Math.abs(mean) * 0.05, 1e-9);
    const z = (point.value - mean) / sd;
    const worse = spec.worse_direction === 'HIGHER' ? z : -z;
    const trend = worse >= 4 ? 'CRITICAL' : worse >= 3 ? 'WARNING' : worse >= 2.5 ? 'WATCH' : null;
    if (trend && rank(trend) > rank(existing.TREND)) {
      const involved = [point, ...before];
      const tlp = TLPS[Math.max(...involved.map((p) => TLPS.indexOf(p.tlp)))];
      out.push({ rule: 'TREND', level: trend, value: point.value, threshold: null, rate, baseline_mean: mean, baseline_std_dev: sd, z_score: z, tlp, observation_ids: involved.map((p) => p.id), visible: tlp === 'CLEAR' || before.every((p) => p.visible) });
    }
  }
  return out;
}

const WRITE_OBSERVATIONS = `
  with input as (
    select * from jsonb_to_recordset($3::jsonb) as x(indicator_code text, country_iso3 text, period_start date, value float8, tlp tlp,
      source_reliability source_reliability, information_credibility smallint, note text)),
  cur as (
    select o.* from input i cross join lateral (
      select o.id, o.indicator_code, o.country_iso3, o.period_start, o.revision from observations o
      where o.indicator_code = i.indicator_code and o.country_iso3 = i.country_iso3 and o.period_start = i.period_start and o.source_org_id = $1 and o.superseded_at is null
      for update of o) o),
  sup as (update observations o set superseded_at = now() where o.id = any(array(select id from cur)) returning o.id),
  ins as (
    insert into observations (indicator_code, country_iso3, period_start, value, source_org_id, recorded_by_sub, tlp, source_reliability, information_credibility, note, revision)
    select i.indicator_code, i.country_iso3, i.period_start, i.value, $1, $2, i.tlp, i.source_reliability, i.information_credibility, i.note, coalesce(c.revision, 0) + 1
    from input i left join cur c on c.indicator_code = i.indicator_code and c.country_iso3 = i.country_iso3 and c.period_start = i.period_start
    returning id, indicator_code, country_iso3, source_org_id, period_start, value, tlp)
  select ins.id, ins.indicator_code, ins.country_iso3, ins.source_org_id, to_char(ins.period_start, 'YYYY-MM-DD') as period_start, ins.value, ins.tlp,
    i.worse_direction, i.periodicity, i.threshold_basis, i.trend_below_watch,
    coalesce(ct.threshold_watch, i.threshold_watch) as threshold_watch, coalesce(ct.threshold_warning, i.threshold_warning) as threshold_warning,
    coalesce(ct.threshold_critical, i.threshold_critical) as threshold_critical,
    ${rate('ins', 'i')} as rate, ${measured('ins', 'i')} as measured,
    (select coalesce(json_agg(w), '[]') from (
       select p.id, to_char(p.period_start, 'YYYY-MM-DD') as period_start, p.value, ${measured('p', 'i')} as measured, p.tlp, ${visible('p', 'observation')} as visible from observations p
       where p.indicator_code = ins.indicator_code and p.country_iso3 = ins.country_iso3 and p.source_org_id = ins.source_org_id and p.superseded_at is null and p.period_start < ins.period_start
       order by p.period_start desc limit 12) w) as before,
    (select coalesce(json_object_agg(e.rule, e.level), '{}') from (
       select distinct on (a.rule) a.rule, a.level from alerts a
       where a.indicator_code = ins.indicator_code and a.country_iso3 = ins.country_iso3 and a.source_org_id = ins.source_org_id and a.period_start = ins.period_start
       order by a.rule, array_position(array['WATCH','WARNING','CRITICAL'], a.level) desc) e) as existing
  from ins join indicators i on i.code = ins.indicator_code
  left join indicator_country_thresholds ct on ct.indicator_code = ins.indicator_code and ct.country_iso3 = ins.country_iso3`;

const INSERT_ALERTS = `
  with a as (
    insert into alerts (indicator_code, country_iso3, source_org_id, period_start, level, rule, value, threshold, rate, baseline_mean, baseline_std_dev, z_score, tlp, observation_ids, known_at)
    select indicator_code, country_iso3, source_org_id, period_start, level, rule, value, threshold, rate, baseline_mean, baseline_std_dev, z_score, tlp, observation_ids, now()
    from jsonb_to_recordset($1::jsonb) as x(indicator_code text, country_iso3 text, source_org_id text, period_start date, level text, rule text, value float8, threshold float8, rate float8,
      baseline_mean float8, baseline_std_dev float8, z_score float8, tlp tlp, observation_ids uuid[])
    returning id, level, rule)
  select a.id, a.level, a.rule, pg_notify('ctewn_alert_raised', a.id::text) as notified from a`;

const FINISH = `
  with k as (update idempotency_keys set observation_ids = $3::uuid[], alert_ids = $4::uuid[] where organization_id = $1 and key = $5 returning 1)
  insert into audit_events (kind, actor_sub, actor_org_id, action, observation_ids, origin_org_ids) values ('WRITE', $2, $1, 'recordObservations', $3::uuid[], array[$1])`;

async function write(claims, vars) {
  if (!claims.roles.includes('contributor')) return { status: 403, body: '{"errors":[{"message":"contributor role needed"}]}' };
  const rows = [];
  for (const [n, r] of vars.input.entries()) {
    const spec = reference.indicators.get(r.indicator);
    const p = parsePeriod(String(r.period));
    if (!spec || !reference.countries.has(r.country) || !p || p.periodicity !== spec.periodicity || !TLPS.includes(r.tlp) || r.tlp === 'CLEAR') {
      return { status: 400, body: JSON.stringify({ errors: [{ message: `input[${n}] is not valid` }] }) };
    }
    rows.push({ indicator_code: r.indicator, country_iso3: r.country, period_start: p.start, value: r.value, tlp: r.tlp, source_reliability: r.sourceReliability, information_credibility: r.informationCredibility, note: r.note ?? null });
  }
  const client = await pool.connect();
  try {
    await client.query('begin');
    const claimed = await client.query(
      `insert into idempotency_keys (organization_id, key, request_hash, observation_ids, alert_ids) values ($1, $2, md5($3), '{}', '{}') on conflict do nothing returning key`,
      [claims.org, vars.key, JSON.stringify(vars.input)],
    );
    if (claimed.rowCount === 0) throw new Error('replays are not part of the benchmark');
    const written = (await client.query(WRITE_OBSERVATIONS, [claims.org, claims.sub, JSON.stringify(rows)])).rows;
    const fresh = written.flatMap((w) =>
      evaluate(w, w, w.before, w.existing).map((c) => ({ ...c, indicator_code: w.indicator_code, country_iso3: w.country_iso3, source_org_id: w.source_org_id, period_start: w.period_start })),
    );
    const inserted = fresh.length > 0 ? (await client.query(INSERT_ALERTS, [JSON.stringify(fresh.map(({ visible: _v, ...a }) => a))])).rows : [];
    const alerts = inserted.map(({ id, level, rule }) => ({ id, level, rule }));
    // The answer lists the alerts the writer may see: those whose every value it may see (alertVisibleTo).
    const shown = alerts.filter((_, i) => fresh[i].visible);
    await client.query(FINISH, [claims.org, claims.sub, written.map((w) => w.id), alerts.map((a) => a.id), vars.key]);
    await client.query('commit');
    const observations = written.map((w) => ({ id: w.id, period: formatPeriod(w.period_start, w.periodicity), value: w.value, level: levelOf(w.measured, w) }));
    return { status: 200, body: JSON.stringify({ data: { recordObservations: { replayed: false, observations, alerts: shown } } }) };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ statements: statements.count }));
    return;
  }
  const name = req.url?.slice(1);
  if (req.method !== 'POST' || !(name in SQL || name === 'w5') || name === 'w6all') {
    res.statusCode = 404;
    res.end();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const claims = await verify(req.headers.authorization);
      if (!claims) {
        res.statusCode = 401;
        res.end('{"errors":[{"message":"Not authenticated"}]}');
        return;
      }
      const vars = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const { status, body } = name === 'w5' ? await write(claims, vars) : { status: 200, body: await read(name, claims, vars) };
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(body);
    } catch (error) {
      res.statusCode = 500;
      res.end(JSON.stringify({ errors: [{ message: String(error?.message ?? error) }] }));
    }
  });
});

await loadReference();
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write(`baseline listening on ${process.env.PORT}\n`));
const stop = () => server.close(() => pool.end().then(() => process.exit(0)));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
