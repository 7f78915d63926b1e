import { readFileSync, writeFileSync } from 'node:fs';
import { buildBareSchema, printSortedSchema } from '../src/schema/build.js';

/**
 * `npm run schema:print` writes schema.graphql from the code; `npm run schema:check` fails when the
 * committed file and the code disagree (the SDL is a contract partner integrations rely on).
 */
const file = new URL('../schema.graphql', import.meta.url);
const sdl = printSortedSchema(await buildBareSchema());
if (process.argv.includes('--check')) {
  const committed = readFileSync(file, 'utf8');
  if (committed !== sdl) {
    process.stderr.write('schema.graphql is out of date with the code: run `npm run schema:print` and commit it.\n');
    process.exit(1);
  }
  process.stdout.write('schema.graphql matches the code.\n');
} else {
  writeFileSync(file, sdl);
  process.stdout.write('schema.graphql written.\n');
}
