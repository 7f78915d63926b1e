import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Role } from '../auth/viewer.js';
import type { Db } from '../db/database.js';
import { countValuesInForce } from '../db/queries/observations.js';
import { loadReferenceData, recordObservations, validateObservationRows } from '../db/queries/observation-writes.js';
import { ApiError } from '../errors.js';
import { parsePeriod } from '../schema/common/period.js';
import { COLUMNS, formatOf, parseFile, type FileProblem, type ImportFormat, type ParsedFile } from './parse.js';
import { progressReporter, type ProgressStream } from './progress.js';
import { runStixImport } from './stix-command.js';
import { ImportUsageError, importViewer, parseRoles } from './viewer.js';

export const EXIT = { OK: 0, INVALID: 1, USAGE: 2 } as const;

export const USAGE = `usage: npm run import -- observations <file.csv|file.json|file.ndjson> --org <organization id> --sub <person>
         [--roles contributor[,org-admin]] [--idempotency-key <key>] [--dry-run]
       npm run import -- stix <bundle.json> --org <organization id> --sub <person>
         [--roles contributor[,org-admin]] [--dry-run]

  Validates the whole file, prints every problem with its line (for STIX: the object id), then
  writes everything in one transaction (all or nothing). A STIX bundle's reports become reports of
  --org, or new revisions of those with the same STIX id. Exit codes: 0 written (or valid, with
  --dry-run), 1 nothing written (invalid file or a refused write), 2 usage error.
  See docs/IMPORT-EXPORT.md and docs/STIX.md.`;

export interface ImportArgs {
  what: 'observations' | 'stix';
  file: string;
  format: ImportFormat;
  org: string;
  sub: string;
  roles: Role[];
  idempotencyKey: string | null;
  dryRun: boolean;
}

/** The command line, checked before anything is opened; a mistake here is a usage error (exit 2). */
export function parseImportArgs(argv: readonly string[]): ImportArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        org: { type: 'string' },
        sub: { type: 'string' },
        roles: { type: 'string', default: 'contributor' },
        'idempotency-key': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ImportUsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [what, file, ...extra] = positionals;
  if (what !== 'observations' && what !== 'stix') throw new ImportUsageError(what ? `cannot import "${what}": only observations or stix` : 'say what to import: observations or stix');
  if (!file || extra.length > 0) throw new ImportUsageError('give exactly one file');
  const format = formatOf(file);
  if (what === 'stix' && format !== 'json') throw new ImportUsageError(`${file}: a STIX bundle is a .json file`);
  if (!format) throw new ImportUsageError(`${file}: the file name must end in .csv, .json or .ndjson`);
  if (what === 'stix' && values['idempotency-key'] !== undefined) throw new ImportUsageError('--idempotency-key is for observations: a STIX import is idempotent by the objects\' ids and versions');
  if (!values.org) throw new ImportUsageError('--org is required: the organization the values come from');
  if (!values.sub?.trim()) throw new ImportUsageError('--sub is required: the person recording them (written to the audit log)');
  const key = values['idempotency-key'] ?? null;
  if (key !== null && (key.length < 8 || key.length > 200)) throw new ImportUsageError('--idempotency-key must be 8 to 200 characters');
  return { what, file, format, org: values.org, sub: values.sub.trim(), roles: parseRoles(values.roles!), idempotencyKey: key, dryRun: values['dry-run']! };
}

export interface ImportIo {
  out(text: string): void;
  err(text: string): void;
  /** Where the progress goes (stderr): a bar if it is a terminal. */
  progress: ProgressStream;
}

/** Messages of validateObservationRows name the batch row of a duplicate; the file's reader wants its line. */
function locate(message: string, file: ParsedFile): string {
  return message.replace(/row (\d+) of this batch/, (text, row: string) => file.locations[Number(row)]?.label ?? text);
}

/** Every problem of the file: unreadable values first found by the parser, then the shared validation's. */
function problemsOf(file: ParsedFile, validation: ReturnType<typeof validateObservationRows>): FileProblem[] {
  const fromValidation = validation
    .filter((p) => !file.unreadable[p.row]!.has(p.field))
    .map((p) => ({ location: file.locations[p.row]!, field: p.field, message: locate(p.message, file) }));
  const column = (field: string | null) => (field === null ? -1 : (COLUMNS as readonly string[]).indexOf(field));
  return [...file.problems, ...fromValidation].sort((a, b) => a.location.order - b.location.order || column(a.field) - column(b.field));
}

function describeProblem(p: FileProblem): string {
  return `${p.location.label}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Imports a file of observations as one member: reads and validates ALL of it with the rules of the
 * recordObservations mutation (validateObservationRows over loadReferenceData, the same write policy),
 * prints every problem with where it is in the file, and only when there is none writes everything
 * through recordObservations: one transaction with its alerts and audit entry, so all or nothing.
 */
export async function runImport(db: Db, args: ImportArgs, io: ImportIo, options: { maxFuturePeriods?: number; backfillHorizonDays?: number } = {}): Promise<number> {
  const maxFuturePeriods = options.maxFuturePeriods ?? 0;
  let text: string;
  try {
    text = await readFile(args.file, 'utf8');
  } catch (error) {
    io.err(`${args.file}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
    return EXIT.USAGE;
  }
  let viewer;
  try {
    viewer = await importViewer(db, args);
  } catch (error) {
    if (error instanceof ImportUsageError) {
      io.err(`${error.message}\n`);
      return EXIT.USAGE;
    }
    throw error;
  }
  if (args.what === 'stix') return runStixImport(db, viewer, args, text, io);

  const file = parseFile(text, args.format);
  const problems = problemsOf(file, validateObservationRows(file.rows, await loadReferenceData(db), viewer, { now: new Date(), maxFuturePeriods }));
  if (problems.length > 0) {
    for (const p of problems) io.err(`${args.file}: ${describeProblem(p)}\n`);
    const places = new Set(problems.map((p) => p.location.label)).size;
    io.err(`${plural(problems.length, 'problem')} in ${plural(places, args.format === 'json' ? 'place' : 'line')} of ${args.file}; nothing was written.\n`);
    return EXIT.INVALID;
  }
  if (file.rows.length === 0) {
    io.err(`${args.file}: holds no observations; nothing was written.\n`);
    return EXIT.INVALID;
  }

  const as = `${viewer.organizationId} (${viewer.sub})`;
  if (args.dryRun) {
    const keys = file.rows.map((r) => ({ indicator: r.indicator, country: r.country, periodStart: parsePeriod(r.period).start }));
    const corrections = await countValuesInForce(db, viewer, keys, viewer.organizationId);
    io.out(
      `Dry run: ${args.file} is valid. Would record ${plural(file.rows.length, 'observation')} as ${as} in one transaction: ` +
        `${file.rows.length - corrections} new, ${corrections} correcting a value in force that you may see. Nothing was written.\n`,
    );
    return EXIT.OK;
  }

  io.err(`${args.file}: ${plural(file.rows.length, 'row')} valid; writing them as ${as} in one transaction…\n`);
  const started = Date.now();
  const progress = progressReporter(io.progress, file.rows.length);
  let result;
  try {
    result = await recordObservations(db, viewer, file.rows, {
      idempotencyKey: args.idempotencyKey,
      action: 'import',
      maxFuturePeriods,
      backfillHorizonDays: options.backfillHorizonDays,
      onProgress: (written) => progress.update(written),
    });
  } catch (error) {
    progress.stop();
    if (error instanceof ApiError) {
      io.err(`${args.file}: refused, nothing was written: ${error.message}\n`);
      return EXIT.INVALID;
    }
    throw error;
  }
  progress.stop();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.replayed) {
    io.out(`This idempotency key was used for this same file before: nothing written again (${plural(result.observationIds.length, 'observation')} were recorded then).\n`);
  } else {
    io.out(`Imported ${plural(result.observationIds.length, 'observation')} as ${as} in ${seconds} s; ${plural(result.alertIds.length, 'alert')} raised.\n`);
  }
  return EXIT.OK;
}
