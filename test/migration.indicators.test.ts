import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { INDICATORS } from '../src/db/seed/indicators.js';

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

/** An indicator row as the schema before migration 0012 held it. */
function indicatorRow(code: string, unit: string, methodology: string): string {
  return `(${q(code)}, 'name', 'имя', 'description', 'описание', 'VIOLENT_EXTREMISM', ${q(unit)}, 'MONTHLY', 'HIGHER', ${q(methodology)}, 1, 2, 3)`;
}

describe('migration 0012: Russian unit and methodology', () => {
  it('gives the sample indicators their Russian texts, and copies the English where the text is unknown or was changed', async () => {
    const client = new PGlite();
    await migrate(drizzle(client), { migrationsFolder: migrationsBefore('0012_indicator_unit_methodology_ru') });
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
