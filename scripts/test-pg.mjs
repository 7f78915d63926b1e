// The test suite against a real PostgreSQL (default 127.0.0.1:5432, trust auth): creates a fresh
// database for this run, runs every test file against it, and drops it afterwards, pass or fail.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const admin = process.env.PG_ADMIN_URL ?? 'postgres://root@127.0.0.1:5432/postgres';
const name = `ctewn_test_${process.pid}_${Date.now()}`;
const base = new URL(admin);

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

await adminQuery(`create database ${name}`);
let status = 1;
try {
  base.pathname = `/${name}`;
  const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DATABASE_URL: base.toString() },
  });
  status = result.status ?? 1;
} finally {
  await adminQuery(`drop database if exists ${name} with (force)`);
}
process.exit(status);
