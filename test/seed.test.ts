import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { appliesTo, qualified } from '../src/db/applicability.js';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import * as t from '../src/db/schema/index.js';
import { buildSampleData, hasSampleData, seedSampleData, type SeedResult } from '../src/db/seed/index.js';
import { TOPICS } from '../src/db/seed/topics.js';

let database: Database;
let first: SeedResult;

beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://' });
  await migrate(database);
  first = await seedSampleData(database.db);
}, 180_000); // seeding the whole sample network: seconds alone, a minute or more beside other test files

afterAll(async () => {
  await database?.close();
});

const n = sql<number>`count(*)::int`;

describe('sample data: reference tables', () => {
  it('holds the six countries with their ISO codes and names', async () => {
    const rows = await database.db.select().from(t.countries).orderBy(asc(t.countries.iso3));
    expect(rows.map((r) => [r.iso3, r.iso2, r.nameEn, r.nameRu, r.role])).toEqual([
      ['AFG', 'AF', 'Afghanistan', 'Афганистан', 'COUNTRY_OF_CONCERN'],
      ['KAZ', 'KZ', 'Kazakhstan', 'Казахстан', 'MEMBER_STATE'],
      ['KGZ', 'KG', 'Kyrgyzstan', 'Кыргызстан', 'MEMBER_STATE'],
      ['TJK', 'TJ', 'Tajikistan', 'Таджикистан', 'MEMBER_STATE'],
      ['TKM', 'TM', 'Turkmenistan', 'Туркменистан', 'MEMBER_STATE'],
      ['UZB', 'UZ', 'Uzbekistan', 'Узбекистан', 'MEMBER_STATE'],
    ]);
  });

  it('holds the network organizations with their kinds, focal points and the Monitoring Team parents', async () => {
    const rows = await database.db.select().from(t.organizations);
    const kindOf = Object.fromEntries(rows.map((r) => [r.id, r.kind]));
    expect(kindOf).toMatchObject({
      unrcca: 'UN_ENTITY', unoct: 'UN_ENTITY', unama: 'UN_ENTITY', unodc: 'UN_ENTITY', unpdf: 'DONOR',
      'sc-1267': 'SANCTIONS_COMMITTEE', 'sc-1988': 'SANCTIONS_COMMITTEE', 'monitoring-team': 'SANCTIONS_MONITORING',
      'cis-atc': 'REGIONAL_ORGANIZATION', 'sco-rats': 'REGIONAL_ORGANIZATION', cica: 'REGIONAL_ORGANIZATION',
      csto: 'REGIONAL_ORGANIZATION', 'kaz-ct': 'MEMBER_STATE_AGENCY', 'kgz-ct': 'MEMBER_STATE_AGENCY',
      'tjk-ct': 'MEMBER_STATE_AGENCY', 'tkm-ct': 'MEMBER_STATE_AGENCY', 'uzb-ct': 'MEMBER_STATE_AGENCY',
      'kaz-cso': 'CIVIL_SOCIETY', 'tjk-cso': 'CIVIL_SOCIETY', 'expert-group': 'EXPERT',
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get('tjk-ct')?.countryIso3).toBe('TJK');
    expect(byId.get('kaz-ct')?.nameEn).toBe('Kazakhstan national CT focal point (sample)');
    expect(byId.get('unodc')?.nameRu).toBe('Управление Организации Объединённых Наций по наркотикам и преступности');
    expect(rows.filter((r) => !r.active).map((r) => r.id)).toEqual(['inactive-sample']);
    for (const r of rows) {
      expect(r.focalPointName).toBeTruthy();
      expect(r.focalPointEmail).toMatch(/@example\.org$/);
      expect(r.nameRu).toMatch(/[а-яё]/i);
    }
    const parents = await database.db.select().from(t.organizationParents).orderBy(asc(t.organizationParents.parentId));
    expect(parents).toEqual([
      { organizationId: 'monitoring-team', parentId: 'sc-1267' },
      { organizationId: 'monitoring-team', parentId: 'sc-1988' },
    ]);
  });

  it('holds the country groups indicators are declared for, with their members', async () => {
    const groups = await database.db
      .select({ code: t.countryGroups.code, nameEn: t.countryGroups.nameEn, nameRu: t.countryGroups.nameRu, members: sql<string[]>`array(select m.country_iso3::text from country_group_members m where m.group_code = ${t.countryGroups.code} order by 1)` })
      .from(t.countryGroups)
      .orderBy(asc(t.countryGroups.code));
    expect(groups).toEqual([
      { code: 'AFGHANISTAN_NEIGHBOURS', nameEn: 'states bordering Afghanistan', nameRu: 'государства, граничащие с Афганистаном', members: ['TJK', 'TKM', 'UZB'] },
      { code: 'CENTRAL_ASIA', nameEn: 'Central Asian states', nameRu: 'государства Центральной Азии', members: ['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB'] },
    ]);
  });

  it('defines about thirty indicators across every theme, with thresholds ordered in the worse direction', async () => {
    const rows = await database.db.select().from(t.indicators);
    expect(rows.length).toBeGreaterThanOrEqual(28);
    expect(rows.length).toBeLessThanOrEqual(32);
    expect(new Set(rows.map((r) => r.theme))).toEqual(new Set(TOPICS));
    expect(new Set(rows.map((r) => r.periodicity))).toEqual(new Set(['MONTHLY', 'QUARTERLY', 'ANNUAL']));
    expect(rows.filter((r) => r.worseDirection === 'LOWER').length).toBeGreaterThan(0);
    for (const r of rows) {
      const [a, b, c] = [r.thresholdWatch, r.thresholdWarning, r.thresholdCritical];
      if (r.worseDirection === 'HIGHER') expect(a < b && b < c, r.code).toBe(true);
      else expect(a > b && b > c, r.code).toBe(true);
      expect(r.nameEn && r.nameRu && r.descriptionEn && r.descriptionRu && r.methodology && r.methodologyRu && r.unit && r.unitRu).toBeTruthy();
      expect(r.methodologyRu, r.code).toMatch(/[а-яё]/i);
      expect(r.unitRu, r.code).toMatch(r.unit === '%' ? /^%$/ : /[а-яё]/i);
      if (r.minValue !== null && r.maxValue !== null) expect(r.minValue).toBeLessThan(r.maxValue);
    }
  });
});

describe('sample data: observations', () => {
  it('covers 60 months of every country a monthly indicator applies to, Nov 2021 to Oct 2026', async () => {
    const monthly = await database.db
      .select({ code: t.indicators.code, countries: sql<string[]>`array(select c.iso3::text from countries c where ${appliesTo(qualified(t.indicators.code), sql`c.iso3`)} order by 1)` })
      .from(t.indicators)
      .where(eq(t.indicators.periodicity, 'MONTHLY'));
    const coverage = await database.db
      .select({
        code: t.observations.indicatorCode,
        points: sql<number>`count(distinct (${t.observations.countryIso3}, ${t.observations.periodStart}))::int`,
        countries: sql<string[]>`array_agg(distinct ${t.observations.countryIso3}::text order by ${t.observations.countryIso3}::text)`,
        first: sql<string>`min(${t.observations.periodStart})::text`,
        last: sql<string>`max(${t.observations.periodStart})::text`,
      })
      .from(t.observations)
      .where(and(inArray(t.observations.indicatorCode, monthly.map((m) => m.code)), eq(t.observations.revision, 1)))
      .groupBy(t.observations.indicatorCode);
    expect(coverage).toHaveLength(monthly.length);
    const applicable = new Map(monthly.map((m) => [m.code, m.countries]));
    for (const c of coverage) {
      expect(c, c.code).toMatchObject({ points: 60 * applicable.get(c.code)!.length, countries: applicable.get(c.code), first: '2021-11-01', last: '2026-10-01' });
    }
    // The Afghan northern border's incidents are a series of the states bordering Afghanistan, not of Kazakhstan.
    expect(applicable.get('AFG-01')).toEqual(['TJK', 'TKM', 'UZB']);
    expect(applicable.get('VE-01')).toEqual(['AFG', 'KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']);
    expect(applicable.get('OP-01')).toEqual(['KAZ', 'KGZ', 'TJK', 'TKM', 'UZB']);
  });

  it('holds only values (and alerts) of series their indicator applies to', async () => {
    const outside = (table: typeof t.observations | typeof t.alerts) =>
      database.db.select({ count: n }).from(table).where(sql`not ${appliesTo(table.indicatorCode, table.countryIso3)}`);
    expect(await outside(t.observations)).toEqual([{ count: 0 }]);
    expect(await outside(t.alerts)).toEqual([{ count: 0 }]);
  });

  it('puts quarterly values on quarter starts and annual values on 1 January', async () => {
    const rows = await database.db
      .select({ periodicity: t.indicators.periodicity, month: sql<number>`extract(month from ${t.observations.periodStart})::int` })
      .from(t.observations)
      .innerJoin(t.indicators, eq(t.indicators.code, t.observations.indicatorCode))
      .where(inArray(t.indicators.periodicity, ['QUARTERLY', 'ANNUAL']))
      .groupBy(t.indicators.periodicity, sql`2`);
    expect(rows.filter((r) => r.periodicity === 'QUARTERLY').map((r) => r.month).sort((a, b) => a - b)).toEqual([1, 4, 7, 10]);
    expect(rows.filter((r) => r.periodicity === 'ANNUAL').map((r) => r.month)).toEqual([1]);
  });

  it('crosses the warning threshold in the worse direction now and then, but not usually', async () => {
    const [row] = await database.db
      .select({
        total: n,
        higher: sql<number>`count(*) filter (where ${t.indicators.worseDirection} = 'HIGHER' and ${t.observations.value} > ${t.indicators.thresholdWarning})::int`,
        lower: sql<number>`count(*) filter (where ${t.indicators.worseDirection} = 'LOWER' and ${t.observations.value} < ${t.indicators.thresholdWarning})::int`,
        critical: sql<number>`count(*) filter (where (${t.indicators.worseDirection} = 'HIGHER' and ${t.observations.value} > ${t.indicators.thresholdCritical}) or (${t.indicators.worseDirection} = 'LOWER' and ${t.observations.value} < ${t.indicators.thresholdCritical}))::int`,
      })
      .from(t.observations)
      .innerJoin(t.indicators, eq(t.indicators.code, t.observations.indicatorCode));
    expect(row?.higher).toBeGreaterThan(10);
    expect(row?.lower).toBeGreaterThan(3);
    expect(row?.critical).toBeGreaterThan(3);
    expect((row?.higher ?? 0) + (row?.lower ?? 0)).toBeLessThan((row?.total ?? 0) * 0.1);
  });

  it('records corrections as later revisions with a different value', async () => {
    const o1 = alias(t.observations, 'o1');
    const corrections = await database.db
      .select({ value: t.observations.value, recordedAt: t.observations.recordedAt, note: t.observations.note, first: o1 })
      .from(t.observations)
      .innerJoin(o1, and(
        eq(o1.indicatorCode, t.observations.indicatorCode),
        eq(o1.countryIso3, t.observations.countryIso3),
        eq(o1.periodStart, t.observations.periodStart),
        // A value is one source's figure: its first revision is the same source's.
        eq(o1.sourceOrgId, t.observations.sourceOrgId),
        eq(o1.revision, 1),
      ))
      .where(eq(t.observations.revision, 2));
    expect(corrections.length).toBeGreaterThan(50);
    for (const c of corrections) {
      expect(c.value).not.toBe(c.first.value);
      expect(c.recordedAt.getTime()).toBeGreaterThan(c.first.recordedAt.getTime());
      expect(c.note).toMatch(/^Corrected after /);
    }
  });

  it('marks observations with every TLP level, mostly CLEAR', async () => {
    const rows = await database.db.select({ tlp: t.observations.tlp, count: n }).from(t.observations).groupBy(t.observations.tlp);
    const byTlp = Object.fromEntries(rows.map((r) => [r.tlp, r.count]));
    expect(Object.keys(byTlp).sort()).toEqual(['AMBER', 'AMBER_STRICT', 'CLEAR', 'GREEN', 'RED']);
    expect(Math.max(...rows.map((r) => r.count))).toBe(byTlp.CLEAR);
  });
});

describe('sample data: reports', () => {
  it('spreads reports over every TLP level, topic, country, kind and several authors', async () => {
    const tlps = await database.db.selectDistinct({ v: t.reports.tlp }).from(t.reports);
    expect(tlps.map((r) => r.v).sort()).toEqual(['AMBER', 'AMBER_STRICT', 'CLEAR', 'GREEN', 'RED']);
    const kinds = await database.db.selectDistinct({ v: t.reports.kind }).from(t.reports);
    expect(kinds).toHaveLength(6);
    const topics = await database.db.selectDistinct({ v: sql<string>`unnest(${t.reports.topics})` }).from(t.reports);
    expect(new Set(topics.map((r) => r.v))).toEqual(new Set(TOPICS));
    const countries = await database.db.selectDistinct({ v: t.reportCountries.countryIso3 }).from(t.reportCountries);
    expect(countries).toHaveLength(6);
    const authors = await database.db.selectDistinct({ v: t.reports.authorOrgId }).from(t.reports);
    expect(authors.length).toBeGreaterThanOrEqual(10);
    expect(authors.map((a) => a.v)).not.toContain('inactive-sample');
    const [shape] = await database.db
      .select({
        total: n,
        ru: sql<number>`count(*) filter (where ${t.reports.language} = 'ru' and ${t.reports.titleRu} is not null)::int`,
        untitled: sql<number>`count(*) filter (where not coalesce(${t.reports.titleEn}, ${t.reports.titleRu}) like '[Sample] %')::int`,
        linked: sql<number>`count(*) filter (where exists (select 1 from report_indicators ri where ri.report_id = ${t.reports.id}))::int`,
        sanctioned: sql<number>`count(*) filter (where cardinality(${t.reports.sanctionsReferences}) > 0)::int`,
        revised: sql<number>`count(*) filter (where ${t.reports.revision} > 1 and ${t.reports.updatedAt} > ${t.reports.publishedAt})::int`,
        backwards: sql<number>`count(*) filter (where ${t.reports.updatedAt} < ${t.reports.publishedAt} or ${t.reports.publishedAt} >= '2026-11-28' or ${t.reports.publishedAt} < '2022-01-01')::int`,
      })
      .from(t.reports);
    expect(shape?.total).toBe(3000);
    expect(shape?.ru).toBeGreaterThan(600);
    expect(shape?.ru).toBeLessThan(1200);
    expect(shape?.untitled).toBe(0);
    expect(shape?.linked).toBeGreaterThan(1000);
    expect(shape?.sanctioned).toBeGreaterThan(300);
    expect(shape?.sanctioned).toBeLessThan(700);
    expect(shape?.revised).toBeGreaterThan(100);
    expect(shape?.backwards).toBe(0);
  });

  it('names fictional consolidated-list entries of both regimes, some reports citing both', async () => {
    const rows = await database.db.select({ refs: t.reports.sanctionsReferences }).from(t.reports).where(sql`cardinality(${t.reports.sanctionsReferences}) > 0`);
    for (const ref of rows.flatMap((r) => r.refs)) expect(ref).toMatch(/^(QD|TA)[ie]\.9\d\d$/);
    expect(rows.some((r) => r.refs.some((x) => x.startsWith('QD')) && r.refs.some((x) => x.startsWith('TA')))).toBe(true);
  });

  it('writes topic words that full-text search finds in both languages', async () => {
    const propaganda = sql`${t.reports.searchVector} @@ (plainto_tsquery('russian', 'propaganda') || plainto_tsquery('russian', 'пропаганда'))`;
    const [op] = await database.db
      .select({ total: n, found: sql<number>`count(*) filter (where ${propaganda})::int` })
      .from(t.reports)
      .where(sql`'ONLINE_PROPAGANDA' = any(${t.reports.topics})`);
    expect(op?.total).toBeGreaterThan(100);
    expect(op?.found).toBe(op?.total);
    const [publicTajik] = await database.db
      .select({ count: n })
      .from(t.reports)
      .innerJoin(t.reportCountries, eq(t.reportCountries.reportId, t.reports.id))
      .where(and(eq(t.reports.tlp, 'CLEAR'), eq(t.reportCountries.countryIso3, 'TJK'),
        sql`${t.reports.searchVector} @@ plainto_tsquery('russian', 'propaganda')`));
    expect(publicTajik?.count).toBeGreaterThanOrEqual(5);
    const [russian] = await database.db
      .select({ count: n })
      .from(t.reports)
      .where(and(eq(t.reports.language, 'ru'), sql`${t.reports.searchVector} @@ plainto_tsquery('russian', 'пропаганда')`));
    expect(russian?.count).toBeGreaterThan(20);
  });
});

describe('sample data: restricted values stay in their field', () => {
  // Report.sanctionsReferences is denied to everyone but the sanctions bodies and the originator; a
  // sample text that spells the entries out (in a CLEAR title, a GREEN body, an observation note) would
  // hand them to every reader and make the field rule pointless.
  const rows = async <T>(query: SQL) => ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
  const LIST_ENTRY = String.raw`(^|[^a-z0-9])(qd|ta)[^a-z0-9]{0,2}[ie]?[^a-z0-9]{0,3}[0-9]{2,4}`;

  it('no text column of any table holds a sanctions reference, written out or in a recognisable form', async () => {
    const columns = await rows<{ table_name: string; column_name: string }>(sql`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and (data_type in ('text', 'character varying', 'jsonb', 'json') or udt_name in ('_text', '_varchar'))
        and not (table_name = 'reports' and column_name = 'sanctions_references')
      order by table_name, column_name`);
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['reports.title_en', 'reports.title_ru', 'reports.summary', 'reports.body', 'reports.source_description', 'observations.note']));
    const refs = (await database.db.selectDistinct({ v: sql<string>`unnest(${t.reports.sanctionsReferences})` }).from(t.reports)).map((r) => r.v);
    expect(refs.length).toBeGreaterThan(100);
    const needle = [LIST_ENTRY, ...refs.map((r) => r.toLowerCase().replace('.', '\\.'))].join('|');
    const hits: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const [row] = await rows<{ n: number; sample: string | null }>(sql`
        select count(*)::int as n, min(left(${sql.identifier(column)}::text, 200)) as sample from ${sql.identifier(table)}
        where lower(${sql.identifier(column)}::text) ~ ${needle}`);
      if (row && row.n > 0) hits.push(`${table}.${column}: ${row.n} rows, e.g. ${row.sample}`);
    }
    expect(hits).toEqual([]);
  });

  it('holds for other seeds too (every string the generator builds, sanctionsReferences aside)', () => {
    const pattern = new RegExp(LIST_ENTRY, 'i');
    for (const seed of [2, 3]) {
      const data = buildSampleData({ seed, reports: 1500 });
      const refs = new Set(data.reports.flatMap((r) => r.sanctionsReferences ?? []));
      expect(refs.size).toBeGreaterThan(50);
      const offending: string[] = [];
      for (const [table, rows] of Object.entries(data)) {
        for (const row of rows as Record<string, unknown>[]) {
          for (const [field, value] of Object.entries(row)) {
            if (field === 'sanctionsReferences') continue;
            for (const text of (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string')) {
              if (pattern.test(text) || [...refs].some((ref) => text.toLowerCase().includes(ref.toLowerCase()))) offending.push(`${table}.${field}`);
            }
          }
        }
      }
      expect([...new Set(offending)], `seed ${seed}`).toEqual([]);
    }
  });
});

describe('sample data: grants', () => {
  it('shares AMBER reports with organizations, RED reports with persons, and observations too', async () => {
    const rows = await database.db
      .select({ grant: t.grants, tlp: t.reports.tlp, authorOrgId: t.reports.authorOrgId, authorSub: t.reports.authorSub })
      .from(t.grants)
      .innerJoin(t.reports, eq(t.reports.id, t.grants.reportId));
    expect(rows.length).toBeGreaterThan(500);
    for (const r of rows) {
      expect(['AMBER', 'AMBER_STRICT', 'RED']).toContain(r.tlp);
      expect(r.grant.grantedByOrgId).toBe(r.authorOrgId);
      expect(r.grant.grantedBySub).toBe(r.authorSub);
      if (r.tlp === 'RED') expect(r.grant.granteeSub).toMatch(/^sample:[a-z0-9-]+:analyst-\d$/);
      else expect(r.grant.granteeOrgId).not.toBe(r.authorOrgId);
    }
    const grantees = new Set(rows.filter((r) => r.tlp === 'AMBER').map((r) => r.grant.granteeOrgId));
    for (const org of ['sc-1267', 'sc-1988', 'unodc', 'sco-rats']) expect(grantees).toContain(org);
    const now = Date.now();
    expect(rows.some((r) => r.grant.expiresAt && r.grant.expiresAt.getTime() < now)).toBe(true);
    expect(rows.some((r) => r.grant.expiresAt && r.grant.expiresAt.getTime() > now)).toBe(true);
    expect(rows.some((r) => r.grant.revokedAt !== null && r.grant.revokedBySub !== null)).toBe(true);
    const [observationGrants] = await database.db.select({ count: n }).from(t.grants).where(and(isNotNull(t.grants.observationId), isNull(t.grants.reportId)));
    expect(observationGrants?.count).toBeGreaterThan(50);
  });
});

describe('sample data: idempotence and determinism', () => {
  it('does nothing on a second run', async () => {
    expect(first.seeded).toBe(true);
    expect(await hasSampleData(database.db)).toBe(true);
    const again = await seedSampleData(database.db);
    expect(again).toEqual({ seeded: false, counts: first.counts });
    const [marker] = await database.db.select().from(t.meta).where(eq(t.meta.key, 'sample_data'));
    expect(marker?.value).toBe('ct-ewn-sample-v4 seed=1');
  });

  it('builds the same ids and titles from the same seed, and stores exactly those', async () => {
    const pick = (seed: number) => buildSampleData({ seed }).reports.slice(0, 5).map((r) => ({ id: r.id, titleEn: r.titleEn, titleRu: r.titleRu }));
    const a = pick(1);
    expect(pick(1)).toEqual(a);
    expect(pick(2).map((r) => r.id)).not.toEqual(a.map((r) => r.id));
    const stored = await database.db
      .select({ id: t.reports.id, titleEn: t.reports.titleEn, titleRu: t.reports.titleRu })
      .from(t.reports)
      .where(inArray(t.reports.id, a.map((r) => r.id)));
    expect(stored).toHaveLength(5);
    expect(new Map(stored.map((r) => [r.id, r]))).toEqual(new Map(a.map((r) => [r.id, r])));
  });
});
