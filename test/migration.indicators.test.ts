import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { INDICATORS } from '../src/db/seed/indicators.js';

const rowsOf = async <T>(client: PGlite, query: string) => (await client.query<T>(query)).rows;

/**
 * The indicator migrations of issue 15 on a database written before them: what existing rows become.
 */
const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

/** The committed migrations up to (not including) the one tagged `before`. */
function migrationsBefore(before: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctewn-migrations-'));
  folders.push(dir);
  cpSync('drizzle', dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === before);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

const sample = new Map(INDICATORS.map((i) => [i.code, i]));
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** An indicator row as the schema before migration 0015 held it. */
function indicatorRow(code: string, unit: string, methodology: string): string {
  return `(${q(code)}, 'name', 'имя', 'description', 'описание', 'VIOLENT_EXTREMISM', ${q(unit)}, 'MONTHLY', 'HIGHER', ${q(methodology)}, 1, 2, 3)`;
}

describe('migration 0015: Russian unit and methodology', () => {
  it('gives the sample indicators their Russian texts, and copies the English where the text is unknown or was changed', async () => {
    const client = new PGlite();
    await migrate(drizzle(client), { migrationsFolder: migrationsBefore('0015_indicator_texts_and_applicability') });
    const op04 = sample.get('OP-04')!;
    const ve01 = sample.get('VE-01')!;
    await client.exec(`insert into indicators (code, name_en, name_ru, description_en, description_ru, theme, unit, periodicity, worse_direction, methodology, threshold_watch, threshold_warning, threshold_critical) values
      ${indicatorRow('OP-04', op04.unit, op04.methodology)},
      ${indicatorRow('VE-01', 'attacks', ve01.methodology)},
      ${indicatorRow('T-01', 'widgets', 'Counted by hand.')}`);

    await migrate(drizzle(client), { migrationsFolder: 'drizzle' });

    const rows = (await client.query<{ code: string; unit: string; unit_ru: string; methodology: string; methodology_ru: string }>(
      'select code, unit, unit_ru, methodology, methodology_ru from indicators order by code',
    )).rows;
    expect(rows).toEqual([
      { code: 'OP-04', unit: 'thousand views', unit_ru: 'тыс. просмотров', methodology: op04.methodology, methodology_ru: op04.methodologyRu },
      // An operator changed the unit: no translation of the old one; the methodology is still the sample's.
      { code: 'T-01', unit: 'widgets', unit_ru: 'widgets', methodology: 'Counted by hand.', methodology_ru: 'Counted by hand.' },
      { code: 'VE-01', unit: 'attacks', unit_ru: 'attacks', methodology: ve01.methodology, methodology_ru: ve01.methodologyRu },
    ]);
    const notNull = (await client.query<{ column_name: string; is_nullable: string }>(
      `select column_name, is_nullable from information_schema.columns where table_name = 'indicators' and column_name in ('unit_ru', 'methodology_ru') order by 1`,
    )).rows;
    expect(notNull).toEqual([{ column_name: 'methodology_ru', is_nullable: 'NO' }, { column_name: 'unit_ru', is_nullable: 'NO' }]);
    await client.close();
  });
});

describe('migration 0015: where indicators apply', () => {
  async function before0015(): Promise<PGlite> {
    const client = new PGlite();
    await migrate(drizzle(client), { migrationsFolder: migrationsBefore('0015_indicator_texts_and_applicability') });
    return client;
  }

  it('declares the sample indicators as the sample does, keeps every other indicator applying everywhere, and deletes no value', async () => {
    const client = await before0015();
    // A database holding some of the network's countries (no Uzbekistan, no Turkmenistan), sample indicators and an operator's own.
    await client.exec(`insert into countries (iso3, iso2, name_en, name_ru, role) values
      ('KAZ', 'KZ', 'Kazakhstan', 'Казахстан', 'MEMBER_STATE'), ('TJK', 'TJ', 'Tajikistan', 'Таджикистан', 'MEMBER_STATE'), ('AFG', 'AF', 'Afghanistan', 'Афганистан', 'COUNTRY_OF_CONCERN')`);
    await client.exec(`insert into organizations (id, acronym, name_en, name_ru, kind) values ('unodc', 'UNODC', 'UNODC', 'УНП ООН', 'UN_ENTITY')`);
    for (const code of ['AFG-01', 'VE-01', 'OP-01', 'T-01']) {
      await client.exec(`insert into indicators (code, name_en, name_ru, description_en, description_ru, theme, unit, periodicity, worse_direction, methodology, threshold_watch, threshold_warning, threshold_critical)
        values ('${code}', 'n', 'н', 'd', 'о', 'AFGHANISTAN', 'incidents', 'MONTHLY', 'HIGHER', 'm', 1, 2, 3)`);
    }
    // Kazakhstan's values of the Afghan border's incidents, recorded when every indicator applied everywhere, and an alert on one.
    await client.exec(`insert into observations (id, indicator_code, country_iso3, period_start, value, source_org_id, recorded_by_sub, tlp, source_reliability, information_credibility) values
      ('00000000-0000-4000-8000-000000000001', 'AFG-01', 'KAZ', '2026-01-01', 70, 'unodc', 's', 'CLEAR', 'B', 2),
      ('00000000-0000-4000-8000-000000000002', 'AFG-01', 'TJK', '2026-01-01', 20, 'unodc', 's', 'CLEAR', 'B', 2)`);
    await client.exec(`insert into alerts (indicator_code, country_iso3, period_start, source_org_id, level, rule, value, tlp, observation_ids, known_at)
      values ('AFG-01', 'KAZ', '2026-01-01', 'unodc', 'CRITICAL', 'THRESHOLD', 70, 'CLEAR', array['00000000-0000-4000-8000-000000000001']::uuid[], now())`);

    await migrate(drizzle(client), { migrationsFolder: 'drizzle' });

    expect(await rowsOf(client, 'select group_code, country_iso3 from country_group_members order by 1, 2')).toEqual([
      { group_code: 'AFGHANISTAN_NEIGHBOURS', country_iso3: 'TJK' },
      { group_code: 'CENTRAL_ASIA', country_iso3: 'KAZ' },
      { group_code: 'CENTRAL_ASIA', country_iso3: 'TJK' },
    ]);
    expect(await rowsOf(client, 'select indicator_code, group_code from indicator_country_groups order by 1, 2')).toEqual([
      { indicator_code: 'AFG-01', group_code: 'AFGHANISTAN_NEIGHBOURS' },
      { indicator_code: 'OP-01', group_code: 'CENTRAL_ASIA' },
      { indicator_code: 'VE-01', group_code: 'CENTRAL_ASIA' },
    ]);
    expect(await rowsOf(client, 'select indicator_code, country_iso3 from indicator_countries order by 1, 2')).toEqual([
      { indicator_code: 'T-01', country_iso3: 'AFG' },
      { indicator_code: 'T-01', country_iso3: 'KAZ' },
      { indicator_code: 'T-01', country_iso3: 'TJK' },
      { indicator_code: 'VE-01', country_iso3: 'AFG' },
    ]);
    // Nothing deleted: the values and the alert of the pair that no longer applies stay.
    expect(await rowsOf(client, 'select indicator_code, country_iso3, value from observations order by id')).toEqual([
      { indicator_code: 'AFG-01', country_iso3: 'KAZ', value: 70 },
      { indicator_code: 'AFG-01', country_iso3: 'TJK', value: 20 },
    ]);
    expect(await rowsOf(client, 'select count(*)::int as n from alerts')).toEqual([{ n: 1 }]);
    await client.close();
  });

  it('adds no group to a database without countries: the seed brings them', async () => {
    const client = await before0015();
    await migrate(drizzle(client), { migrationsFolder: 'drizzle' });
    expect(await rowsOf(client, 'select (select count(*) from country_groups)::int as groups, (select count(*) from country_group_members)::int as members')).toEqual([{ groups: 0, members: 0 }]);
    await client.close();
  });
});
