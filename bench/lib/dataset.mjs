// The benchmark database: created, seeded with the repo's own generator, prepared for PostGraphile,
// reset between write rounds, dropped at the end. And the inputs the workloads rotate through.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { visible } from './visibility-sql.mjs';

export function dbUrl(name) {
  return `postgres://root@127.0.0.1:5432/${name}`;
}

const PSQL = ['-h', '127.0.0.1', '-U', 'root', '-v', 'ON_ERROR_STOP=1', '-q'];

export function psql(database, sql) {
  return execFileSync('psql', [...PSQL, '-d', database, '-Atc', sql], { encoding: 'utf8' }).trim();
}

export function recreateDatabase(name) {
  execFileSync('dropdb', ['-h', '127.0.0.1', '-U', 'root', '--if-exists', '--force', name]);
  execFileSync('createdb', ['-h', '127.0.0.1', '-U', 'root', name]);
}

export function dropDatabase(name) {
  execFileSync('dropdb', ['-h', '127.0.0.1', '-U', 'root', '--if-exists', '--force', name]);
  // The role PostGraphile's RLS variant runs as is cluster-wide; its grants went with the database.
  try {
    psql('postgres', 'drop role if exists ctewn_bench_rls');
  } catch (error) {
    console.error(`role ctewn_bench_rls kept: ${error.message.split('\n').slice(1).join(' ')}`);
  }
}

/** Seeds through the repo's own script (npm run seed), so the data is what the product generates. */
export function seed(repo, name, scale) {
  const args = ['run', '-s', 'seed', '--', '--reports', String(scale.reports), '--extra-organizations', String(scale.extraOrganizations), '--years', String(scale.years), '--seed', String(scale.seed)];
  return execFileSync('npm', args, { cwd: repo, env: { ...process.env, DATABASE_URL: dbUrl(name), NODE_ENV: 'development' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

export function preparePostGraphile(name, sqlFile) {
  execFileSync('psql', [...PSQL, '-d', name, '-f', sqlFile], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export function vacuum(name, tables = '') {
  psql(name, `vacuum analyze ${tables}`);
}

/** W5 writes values for January 2100 on; removing them after each write round gives every round the same start. */
export function resetWrites(name) {
  psql(
    name,
    `delete from alerts where period_start >= '2100-01-01';
     delete from observations where period_start >= '2100-01-01';
     delete from idempotency_keys where key like 'bench-%';`,
  );
  vacuum(name, 'observations, alerts, idempotency_keys');
}

export async function counts(name) {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    const out = {};
    for (const t of ['organizations', 'indicators', 'countries', 'reports', 'report_countries', 'report_indicators', 'observations', 'grants', 'alerts']) {
      out[t] = Number((await client.query(`select count(*) from ${t}`)).rows[0].count);
    }
    return out;
  } finally {
    await client.end();
  }
}

const SEARCHES = ['propaganda', 'radicalization', 'violent extremism', '"foreign terrorist fighters"', 'crowdfunding', 'border smuggling', 'rehabilitation', 'sanctions -taliban', 'пропаганда', 'финансирование терроризма'];

/** The inputs the workloads rotate through, chosen for the reading persona (what it may see). */
export async function loadInputs(name, reader) {
  const client = new pg.Client({ connectionString: dbUrl(name) });
  await client.connect();
  try {
    const countries = (await client.query('select iso3 from countries order by iso3')).rows.map((r) => r.iso3);
    // Reports the reader may see that link indicators, picked evenly over the whole table.
    const reports = (
      await client.query(
        `select r.id, array_agg(rc.country_iso3 order by rc.country_iso3) as countries
         from reports r join report_countries rc on rc.report_id = r.id
         where r.retracted_at is null and ${visible('r', 'report')} and exists (select 1 from report_indicators ri where ri.report_id = r.id)
         group by r.id order by md5(r.id::text) limit 200`,
        [reader.org, reader.sub],
      )
    ).rows;
    const searches = SEARCHES.flatMap((q, i) => [
      { q, country: countries[i % countries.length], from: '2024-01-01T00:00:00.000Z' },
      { q, country: null, from: '2025-06-01T00:00:00.000Z' },
    ]);
    // The series W5 writes to: monthly indicators × the countries each applies to (src/db/applicability.ts;
    // a value anywhere else is refused). Each series' watch level in the indicator's units, as the seed draws
    // values (src/db/seed/indicators.ts sampleSeriesThresholds): the country's own thresholds else the
    // indicator's, a rate's turned into a count with the country's latest population figure.
    const series = (
      await client.query(
        `select i.code as indicator, c.iso3 as country, i.worse_direction as "worseDirection", i.min_value as min, i.max_value as max,
           coalesce(t.threshold_watch, i.threshold_watch) * case when i.threshold_basis = 'PER_100K'
             then (select p.population from country_populations p where p.country_iso3 = c.iso3 order by p.year desc limit 1) / 100000.0 else 1 end as watch
         from indicators i cross join countries c left join indicator_country_thresholds t on t.indicator_code = i.code and t.country_iso3 = c.iso3
         where i.periodicity = 'MONTHLY'
           and (exists (select 1 from indicator_countries n where n.indicator_code = i.code and n.country_iso3 = c.iso3)
             or exists (select 1 from indicator_country_groups d join country_group_members m on m.group_code = d.group_code
                        where d.indicator_code = i.code and m.country_iso3 = c.iso3))
         order by i.code, c.iso3`,
      )
    ).rows;
    // W7's countries, most series first: the guard EXPLAINs the first request, which should be the heaviest
    // overview, not Afghanistan's (four series).
    const overviewCountries = (
      await client.query(
        `select c.iso3 from countries c
         order by (select count(*) from (select distinct o.indicator_code, o.source_org_id from observations o where o.country_iso3 = c.iso3) s) desc, c.iso3`,
      )
    ).rows.map((r) => r.iso3);
    return { countries, reports, searches, series, overviewCountries };
  } finally {
    await client.end();
  }
}

export function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}
