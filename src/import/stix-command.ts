import type { MemberViewer } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { ReferenceCache } from '../db/reference.js';
import { ApiError } from '../errors.js';
import { importStixBundle, StixImportRefused } from '../stix/import.js';
import type { ImportArgs, ImportIo } from './command.js';

const INVALID = 1;
const OK = 0;

/**
 * `npm run import -- stix bundle.json`: the bundle's reports through importStixBundle (src/stix/import.ts),
 * as the TAXII inbox imports them: the whole bundle checked first, every problem printed with the id
 * of the object it is about, then one transaction; --dry-run writes and rolls back, so it says exactly
 * what a real run would do.
 */
export async function runStixImport(db: Db, viewer: MemberViewer, args: ImportArgs, text: string, io: ImportIo): Promise<number> {
  let bundle: unknown;
  try {
    bundle = JSON.parse(text);
  } catch (error) {
    io.err(`${args.file}: not JSON (${(error as Error).message}); nothing was written.\n`);
    return INVALID;
  }
  const as = `${viewer.organizationId} (${viewer.sub})`;
  try {
    const reference = await new ReferenceCache(0).get(db);
    const result = await importStixBundle(db, viewer, reference, bundle, { dryRun: args.dryRun, source: `npm run import (${args.file})` });
    for (const o of result.outcomes) (o.ok ? io.out : io.err)(`${o.id}: ${o.message}\n`);
    const { created, revised, unchanged, older } = result.counts;
    const summary = `${created} created, ${revised} revised, ${unchanged} unchanged, ${older} older version(s) skipped`;
    io.out(args.dryRun ? `Dry run: ${args.file} is valid. Would write as ${as}: ${summary}. Nothing was written.\n` : `Imported ${args.file} as ${as}: ${summary}.\n`);
    return OK;
  } catch (error) {
    if (error instanceof StixImportRefused) {
      for (const p of error.problems) io.err(`${args.file}: ${p.id ? `${p.id} ` : ''}${p.message}\n`);
      io.err(`${error.problems.length} problem(s) in ${args.file}; nothing was written.\n`);
      return INVALID;
    }
    if (error instanceof ApiError) {
      io.err(`${args.file}: refused, nothing was written: ${error.message}\n`);
      return INVALID;
    }
    throw error;
  }
}
