// The seven workloads, as each system is asked them. `api` is CT-EWN Graph (GraphQL), `pgl` PostGraphile 5
// (GraphQL, its own derived schema), `base` the raw-SQL baseline (POST /wN with the variables).
// Every request builder rotates through the inputs the orchestrator chose (lib/dataset.mjs), so the
// systems see the same sequence of variables.
import { levelOf } from './levels.mjs';

export const WORKLOADS = {
  W1: 'the 50 latest visible reports: title, date, marking, countries, author',
  W2: 'one country: the last 12 values of each of its 30 indicators',
  W3: "one report by id: countries, author, linked indicators and each one's latest value for the report's countries",
  W4: '20 organizations, each with its 10 latest visible reports and their countries',
  W5: 'recordObservations: a batch of 20 new values (future periods) by a UN-entity contributor, alerts included',
  W6: 'full-text search with a country and a date filter: a page of 20 and the total',
  W7: "one country's overview: each source's current value and level with the change against the period before and a year before, open alerts by level, the 2 newest reports per topic",
};

export const PAGE = { W1: 50, W2: 12, W4: { orgs: 20, reports: 10 }, W6: 20, W5: 20, W7: 2 };

const API = {
  W1: `query W1($first: Int!) { reports(first: $first) { edges { node { id title publishedAt tlp countries { iso3 } author { id acronym } } } } }`,
  W2: `query W2($country: String!, $n: Int!) { country(iso3: $country) { iso3 name }
        indicators { code name unit observations(country: $country, first: $n) { edges { node { period value level tlp } } } } }`,
  W3: `query W3($id: UUID!, $countries: [String!]) { report(id: $id) { id title summary publishedAt tlp countries { iso3 name } author { acronym }
        indicators { code name unit latestValues(countries: $countries) { period value level tlp country { iso3 } } } } }`,
  W4: `query W4($orgs: Int!, $n: Int!) { organizations(first: $orgs) { edges { node { id acronym kind
        reports(first: $n) { edges { node { id title publishedAt tlp countries { iso3 } } } } } } } }`,
  W5: `mutation W5($input: [ObservationInput!]!, $key: String) { recordObservations(input: $input, idempotencyKey: $key) {
        replayed observations { id period value level } alerts { id level rule } } }`,
  W6: `query W6($q: String!, $country: String, $from: DateTimeISO, $first: Int!) {
        reports(first: $first, filter: { search: $q, country: $country, publishedFrom: $from }) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { id title publishedAt tlp author { acronym } countries { iso3 } } } } }`,
  // The overview of examples/operations/01-country-overview.graphql (the explorer's first tab), ids added to compare answers.
  W7: `query W7($country: String!, $n: Int!) { overview(country: $country, reportsPerTopic: $n) {
        country { iso3 name }
        openAlerts { watch warning critical }
        themes { theme indicators { indicator { code name unit } series {
          current { id period value level status source { acronym } } changeFromPrevious changeFromYearBefore } } }
        latestReports { topic reports { id title publishedAt tlp } } } }`,
};

// PostGraphile reads values through bench_pgl.current_observations (sql/postgraphile.sql): the revision
// rule of the API (the latest revision the viewer may see), not the table's `superseded_at is null`.
// Levels: its client judges each value as the API does (lib/levels.mjs) from what it reads beside the
// values: the indicator's basis, scale and default thresholds, the country's own thresholds (a primary-key
// lookup per indicator) and the country's population figures (a few rows per country, by primary key).
const PGL_THRESHOLDS = 'periodicity worseDirection scale thresholdBasis thresholdWatch thresholdWarning thresholdCritical';
const PGL_OWN_THRESHOLDS = 'indicatorCountryThresholdsByIndicatorCode(condition: { countryIso3: $country }) { nodes { thresholdWatch thresholdWarning thresholdCritical } }';
const PGL_POPULATIONS = 'countryPopulationsByCountryIso3(orderBy: PRIMARY_KEY_ASC) { nodes { year population } }';
/** PostGraphile has no "latest per country" field: one aliased first-1 list per country of the report. */
function pglW3(countries) {
  const vars = countries.map((_, i) => `$c${i}: String!`).join(', ');
  const latest = countries
    .map((_, i) => `c${i}: benchPglCurrentObservationsByIndicatorCode(first: 1, orderBy: [PERIOD_START_DESC, RECORDED_AT_DESC], condition: { countryIso3: $c${i} }) { nodes { periodStart value tlp countryIso3 } }`)
    .join(' ');
  // The report's countries are the latest values' countries: their population figures ride along with them.
  return `query W3($id: UUID!, ${vars}) { reportByRowId(rowId: $id) { rowId titleEn titleRu summary publishedAt tlp
    reportCountriesByReportId { nodes { countryByCountryIso3 { iso3 nameEn ${PGL_POPULATIONS} } } } organizationByAuthorOrgId { acronym }
    reportIndicatorsByReportId { nodes { indicatorByIndicatorCode { code nameEn unit ${PGL_THRESHOLDS}
      indicatorCountryThresholdsByIndicatorCode { nodes { countryIso3 thresholdWatch thresholdWarning thresholdCritical } } ${latest} } } } } }`;
}
/** PostGraphile's CRUD mutations insert one row each: 20 aliased createObservation in one request. */
function pglW5(n) {
  const vars = Array.from({ length: n }, (_, i) => `$o${i}: ObservationInput!`).join(', ');
  const body = Array.from({ length: n }, (_, i) => `m${i}: createObservation(input: { observation: $o${i} }) { observation { rowId periodStart value tlp } }`).join(' ');
  return `mutation W5(${vars}) { ${body} }`;
}
function pglW6(field, countryVar) {
  return `query W6($q: String!${countryVar}, $from: Datetime, $first: Int!) { ${field}(query: $q${countryVar ? ', country: $country' : ''}, publishedFrom: $from, first: $first, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC]) {
        totalCount pageInfo { hasNextPage endCursor } nodes { rowId titleEn titleRu publishedAt tlp organizationByAuthorOrgId { acronym } reportCountriesByReportId { nodes { countryIso3 } } } } }`;
}
const PGL = {
  W1: `query W1($first: Int!) { allReports(first: $first, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC], condition: { retractedAt: null }) {
        nodes { rowId titleEn titleRu publishedAt tlp reportCountriesByReportId { nodes { countryIso3 } } organizationByAuthorOrgId { rowId acronym } } } }`,
  W2: `query W2($country: String!, $n: Int!) { countryByIso3(iso3: $country) { iso3 nameEn ${PGL_POPULATIONS} } allIndicators(orderBy: CODE_ASC) { nodes { code nameEn unit ${PGL_THRESHOLDS} ${PGL_OWN_THRESHOLDS}
        benchPglCurrentObservationsByIndicatorCode(first: $n, orderBy: [PERIOD_START_DESC, SOURCE_ORG_ID_DESC], condition: { countryIso3: $country }) { nodes { periodStart value tlp } } } } }`,
  W3: [null, pglW3(['a']), pglW3(['a', 'b']), pglW3(['a', 'b', 'c'])],
  W4: `query W4($orgs: Int!, $n: Int!) { allOrganizations(first: $orgs, orderBy: PRIMARY_KEY_ASC) { nodes { rowId acronym kind
        reportsByAuthorOrgId(first: $n, orderBy: [PUBLISHED_AT_DESC, PRIMARY_KEY_DESC], condition: { retractedAt: null }) {
          nodes { rowId titleEn titleRu publishedAt tlp reportCountriesByReportId { nodes { countryIso3 } } } } } } }`,
  W5: pglW5(PAGE.W5),
  // Search: one function per filter shape (sql/postgraphile.sql), ordered by PostGraphile (the API's order).
  W6: {
    all: pglW6('searchReports', ''),
    country: pglW6('searchReportsInCountry', ', $country: String!'),
  },
  // The overview through the functions of sql/postgraphile.sql (W7); the indicators (names, units, and the
  // thresholds and periodicity its client turns into levels and periods) and the country's population
  // figures from the derived schema, as in W2.
  W7: `query W7($country: String!, $n: Int!) { countryByIso3(iso3: $country) { iso3 nameEn ${PGL_POPULATIONS} }
        overviewOpenAlerts(country: $country) { nodes { watch warning critical } }
        allIndicators(orderBy: CODE_ASC) { nodes { code nameEn unit theme ${PGL_THRESHOLDS} ${PGL_OWN_THRESHOLDS} } }
        overviewCurrentValues(country: $country) { nodes { rowId indicatorCode sourceAcronym periodStart value tlp status previousValue valueYearBefore } }
        overviewLatestReports(country: $country, perTopic: $n) { nodes { rowId titleEn titleRu publishedAt tlp topics } } }`,
};

/** The topics of the network, in the order the API lists them (src/schema/common/enums.ts Topic). */
const TOPICS = ['ONLINE_PROPAGANDA', 'RELIGIOUS_RADICALIZATION', 'VIOLENT_EXTREMISM', 'FOREIGN_TERRORIST_FIGHTERS', 'AFGHANISTAN', 'TERRORISM_FINANCING', 'BORDER_SECURITY', 'PRISONS_REHABILITATION', 'SANCTIONS_IMPLEMENTATION', 'WORKPLAN'];

/** The variables of the k-th request of a workload (the same for every system). */
export function variablesFor(workload, k, data, options = {}) {
  switch (workload) {
    case 'W1':
      return { first: options.first ?? PAGE.W1 };
    case 'W2':
      return { country: data.countries[k % data.countries.length], n: options.n ?? PAGE.W2 };
    case 'W3': {
      const r = data.reports[k % data.reports.length];
      return { id: r.id, countries: r.countries };
    }
    case 'W4':
      return { orgs: PAGE.W4.orgs, n: options.n ?? PAGE.W4.reports };
    case 'W5':
      return { key: `${options.keyPrefix ?? 'bench'}-${String(k).padStart(6, '0')}`, input: observationBatch(k, data, options.periodBase ?? 0) };
    case 'W6': {
      const s = data.searches[k % data.searches.length];
      return { q: s.q, country: s.country, from: s.from, first: options.first ?? PAGE.W6 };
    }
    case 'W7':
      return { country: data.overviewCountries[k % data.overviewCountries.length], n: options.n ?? PAGE.W7 };
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

/** A cheap deterministic generator, so every system writes the same values. */
function unit(k, j) {
  const x = Math.sin(k * 12.9898 + j * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/**
 * Request k writes 20 values: series (monthly indicator × country) k*20 … k*20+19, round-robin over all
 * of them, each at the next period not yet written for that series, from January 2100 on. Every row is
 * a new value, so every request is a real write; most values sit below the watch level, some cross it.
 */
function observationBatch(k, data, periodBase) {
  const { series } = data;
  return Array.from({ length: PAGE.W5 }, (_, j) => {
    const n = k * PAGE.W5 + j;
    const s = series[n % series.length];
    const month = 2100 * 12 + periodBase + Math.floor(n / series.length);
    const period = `${Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`;
    const u = unit(k, j);
    const raw = s.worseDirection === 'HIGHER' ? s.watch * (0.55 + 0.6 * u) : s.watch * (1.45 - 0.6 * u);
    const value = Math.round(Math.min(s.max ?? Infinity, Math.max(s.min ?? 0, raw)) * 10) / 10;
    return {
      indicator: s.indicator,
      country: s.country,
      period,
      value,
      tlp: u < 0.8 ? 'GREEN' : 'AMBER',
      sourceReliability: 'B',
      informationCredibility: 2,
    };
  });
}

/** The HTTP request (path and JSON body) a system is sent for the given variables. */
export function requestFor(system, workload, vars, writer) {
  if (system === 'base') return { path: `/${workload.toLowerCase()}`, body: JSON.stringify(vars) };
  if (system === 'api') return { path: '/graphql', body: JSON.stringify({ query: API[workload], variables: vars, operationName: workload }) };
  // PostGraphile: its schema's names and shapes.
  if (workload === 'W3') {
    const v = { id: vars.id };
    vars.countries.forEach((c, i) => (v[`c${i}`] = c));
    return { path: '/graphql', body: JSON.stringify({ query: PGL.W3[vars.countries.length], variables: v, operationName: 'W3' }) };
  }
  if (workload === 'W5') {
    const v = {};
    vars.input.forEach((r, i) => {
      v[`o${i}`] = {
        indicatorCode: r.indicator,
        countryIso3: r.country,
        periodStart: `${r.period}-01`,
        value: r.value,
        sourceOrgId: writer.org,
        recordedBySub: writer.sub,
        tlp: r.tlp,
        sourceReliability: r.sourceReliability,
        informationCredibility: r.informationCredibility,
      };
    });
    return { path: '/graphql', body: JSON.stringify({ query: PGL.W5, variables: v, operationName: 'W5' }) };
  }
  if (workload === 'W6') {
    const { country, ...rest } = vars;
    const query = country ? PGL.W6.country : PGL.W6.all;
    return { path: '/graphql', body: JSON.stringify({ query, variables: country ? vars : rest, operationName: 'W6' }) };
  }
  return { path: '/graphql', body: JSON.stringify({ query: PGL[workload], variables: vars, operationName: workload }) };
}

/**
 * What a response says, reduced to compare systems: the ids (or values) returned, in order, and the level
 * of each value (W2, W3, W7: PostGraphile's computed by its client, lib/levels.mjs). Used once per
 * workload before the load, to check that the API, the baseline and PostGraphile with RLS answer alike.
 */
export function fingerprint(system, workload, json) {
  const d = json?.data;
  if (!d) return null;
  const reportIds = (list) => list.map((n) => n.id ?? n.rowId);
  const edges = (c) => (Array.isArray(c) ? c : c?.edges ? c.edges.map((e) => e.node) : (c?.nodes ?? []));
  switch (workload) {
    case 'W1':
      return reportIds(edges(d.reports ?? d.allReports)).join(',');
    case 'W2': {
      const inds = edges(d.indicators ?? d.allIndicators);
      const figures = d.countryByIso3?.countryPopulationsByCountryIso3?.nodes;
      const levelOfRow = (i, o) => (i.observations ? o.level : levelOf(i, i.indicatorCountryThresholdsByIndicatorCode.nodes[0], figures, o.periodStart, o.value));
      return inds
        .map((i) => `${i.code}:${edges(i.observations ?? i.benchPglCurrentObservationsByIndicatorCode).map((o) => `${o.value}@${levelOfRow(i, o)}`).join('/')}`)
        .join(',');
    }
    case 'W3': {
      const r = d.report ?? d.reportByRowId;
      if (!r) return 'null';
      const inds = r.indicators ?? edges(r.reportIndicatorsByReportId).map((x) => x.indicatorByIndicatorCode);
      const figures = new Map(edges(r.reportCountriesByReportId).map((x) => [x.countryByCountryIso3.iso3, x.countryByCountryIso3.countryPopulationsByCountryIso3.nodes]));
      const own = (i, country) => i.indicatorCountryThresholdsByIndicatorCode.nodes.find((t) => t.countryIso3 === country);
      const latest = (i) =>
        i.latestValues
          ? i.latestValues.map((o) => `${o.country.iso3}=${o.value}@${o.level}`)
          : Object.keys(i)
              .filter((k) => /^c\d$/.test(k))
              .flatMap((k) => i[k].nodes.map((o) => `${o.countryIso3}=${o.value}@${levelOf(i, own(i, o.countryIso3), figures.get(o.countryIso3), o.periodStart, o.value)}`))
              .sort();
      return `${r.id ?? r.rowId}|${[...inds].sort((a, b) => a.code.localeCompare(b.code)).map((i) => `${i.code}:${latest(i).join('/')}`).join(',')}`;
    }
    case 'W4':
      return edges(d.organizations ?? d.allOrganizations)
        .map((o) => `${o.id ?? o.rowId}:${reportIds(edges(o.reports ?? o.reportsByAuthorOrgId)).length}:${reportIds(edges(o.reports ?? o.reportsByAuthorOrgId)).join('/')}`)
        .join(',');
    case 'W6': {
      const c = d.reports ?? d.searchReports ?? d.searchReportsInCountry;
      return `${c.totalCount}|${reportIds(edges(c)).join(',')}`;
    }
    case 'W7':
      return overviewFingerprint(d);
    case 'W5': {
      // The values written and the alerts they raised (PostGraphile raises none: it has no alert rules).
      const r = d.recordObservations;
      return r ? `${r.observations.length} values, ${r.alerts.length} alerts` : `${Object.keys(d).length} values, no alert rules`;
    }
    default:
      return null;
  }
}

/**
 * W7 reduced to what the row and revision rules decide: the open alerts by level; each source's series
 * (indicator, source, the current value's id, value and level, the two changes rounded to 1e-6: PostgreSQL and
 * JavaScript subtract the same doubles); each topic's report ids, newest first. PostGraphile's answer is
 * grouped as its client would: the changes from the compared values, the reports by their topics (a
 * topic's first PAGE.W7 among the returned reports are its newest: any other report returned for another
 * topic is older than them).
 */
function overviewFingerprint(d) {
  const change = (x) => (x === null || x === undefined ? '-' : String(Math.round(x * 1e6) / 1e6));
  const o = d.overview;
  if (o === null) return 'null';
  const counts = o ? o.openAlerts : d.overviewOpenAlerts.nodes[0];
  let series;
  let topics;
  if (o) {
    series = o.themes.flatMap((t) =>
      t.indicators.flatMap((i) => i.series.map((s) => `${i.indicator.code}/${s.current.source.acronym}:${s.current.id}=${s.current.value}@${s.current.level}:${change(s.changeFromPrevious)}:${change(s.changeFromYearBefore)}`)),
    );
    topics = o.latestReports.map((t) => `${t.topic}:${t.reports.map((r) => r.id).join('/')}`);
  } else {
    const minus = (a, b) => (b === null ? null : a - b);
    const indicators = new Map(d.allIndicators.nodes.map((i) => [i.code, i]));
    const figures = d.countryByIso3?.countryPopulationsByCountryIso3?.nodes;
    const level = (v) => {
      const i = indicators.get(v.indicatorCode);
      return levelOf(i, i.indicatorCountryThresholdsByIndicatorCode.nodes[0], figures, v.periodStart, v.value);
    };
    series = d.overviewCurrentValues.nodes.map(
      (v) => `${v.indicatorCode}/${v.sourceAcronym}:${v.rowId}=${v.value}@${level(v)}:${change(minus(v.value, v.previousValue))}:${change(minus(v.value, v.valueYearBefore))}`,
    );
    const newest = (a, b) => (a.publishedAt < b.publishedAt ? 1 : a.publishedAt > b.publishedAt ? -1 : a.rowId < b.rowId ? 1 : -1);
    const reports = [...d.overviewLatestReports.nodes].sort(newest);
    topics = TOPICS.map((t) => `${t}:${reports.filter((r) => r.topics.includes(t)).slice(0, PAGE.W7).map((r) => r.rowId).join('/')}`);
  }
  return `${counts.watch}/${counts.warning}/${counts.critical}|${[...series].sort().join(',')}|${topics.join(',')}`;
}
