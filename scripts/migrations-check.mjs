// Fails when the drizzle table definitions changed without a generated migration: generates into a copy
// of drizzle/ and checks that nothing new appears.
import { cpSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

// drizzle-kit mishandles absolute --out paths, so the copy sits in the project (git-ignored).
const copy = '.migrations-check';
rmSync(copy, { recursive: true, force: true });
try {
  cpSync('drizzle', copy, { recursive: true });
  const before = readdirSync(copy).length;
  const output = execFileSync('npx', ['drizzle-kit', 'generate', '--dialect', 'postgresql', '--schema', './src/db/schema/index.ts', '--out', copy], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  const after = readdirSync(copy).length;
  if (after !== before || !/No schema changes/.test(output)) {
    console.error(output);
    console.error('The drizzle tables differ from the committed migrations: run `npm run migrations:generate` and commit drizzle/.');
    process.exit(1);
  }
  console.log('drizzle/ migrations match the tables.');
} finally {
  rmSync(copy, { recursive: true, force: true });
}
