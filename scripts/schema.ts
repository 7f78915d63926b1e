import { readFileSync, writeFileSync } from 'node:fs';
import { buildBareSchema, printSortedSchema } from '../src/schema/build.js';
import { printClientSchema } from '../src/schema/client-sdl.js';

/**
 * `npm run schema:print` writes, from the code, schema.graphql (the subgraph SDL, federation directives
 * included: what a router composes) and schema.client.graphql (the same API without the federation
 * machinery: what standard client tools load). `npm run schema:check` fails when either committed file
 * and the code disagree (both are contracts partner integrations rely on).
 */
const schema = await buildBareSchema();
const files = [
  { name: 'schema.graphql', sdl: printSortedSchema(schema) },
  { name: 'schema.client.graphql', sdl: printClientSchema(schema) },
];
const check = process.argv.includes('--check');
let stale = false;
for (const { name, sdl } of files) {
  const file = new URL(`../${name}`, import.meta.url);
  if (!check) {
    writeFileSync(file, sdl);
    process.stdout.write(`${name} written.\n`);
    continue;
  }
  let committed: string | undefined;
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    committed = undefined;
  }
  if (committed === sdl) process.stdout.write(`${name} matches the code.\n`);
  else {
    stale = true;
    process.stderr.write(`${name} is ${committed === undefined ? 'missing' : 'out of date with the code'}: run \`npm run schema:print\` and commit it.\n`);
  }
}
if (stale) process.exit(1);
