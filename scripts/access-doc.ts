import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { renderAccessMatrix } from '../src/auth/access-matrix.js';

/** `npm run docs:access` writes docs/ACCESS.md from the policy; `-- --check` fails when it is stale. */
const file = new URL('../docs/ACCESS.md', import.meta.url);
const text = renderAccessMatrix();
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== text) {
    process.stderr.write('docs/ACCESS.md is out of date with src/auth/policy.ts: run `npm run docs:access` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('docs/ACCESS.md matches the policy.\n');
} else {
  mkdirSync(new URL('../docs/', import.meta.url), { recursive: true });
  writeFileSync(file, text);
  process.stdout.write('docs/ACCESS.md written.\n');
}
