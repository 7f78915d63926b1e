import { parse as parseCsv } from 'csv-parse/sync';
import type { ObservationInputRow } from '../db/queries/observation-writes.js';

export type ImportFormat = 'csv' | 'json' | 'ndjson';

export const COLUMNS = ['indicator', 'country', 'period', 'value', 'tlp', 'sourceReliability', 'informationCredibility', 'note', 'status', 'sourceReport'] as const;
type Column = (typeof COLUMNS)[number];
const OPTIONAL: readonly Column[] = ['note', 'status', 'sourceReport'];
const REQUIRED: readonly Column[] = COLUMNS.filter((c) => !OPTIONAL.includes(c));

/** Where a row is in the file, in the words an editor uses: a CSV or NDJSON line, a JSON array element. */
export interface Location {
  /** Sorts the problems in file order. */
  order: number;
  label: string;
}

export interface FileProblem {
  location: Location;
  /** The column or key, or null for a problem with the whole line (or the file). */
  field: string | null;
  message: string;
}

/**
 * A file read into the rows recordObservations takes. rows[i] comes from locations[i]; a row whose
 * field could not be read holds a placeholder there, and that field is named in `unreadable` so the
 * validation's second opinion on it is not printed twice.
 */
export interface ParsedFile {
  rows: ObservationInputRow[];
  locations: Location[];
  unreadable: Set<string>[];
  problems: FileProblem[];
}

const line = (n: number): Location => ({ order: n, label: `line ${n}` });
const element = (i: number): Location => ({ order: i, label: `element [${i}]` });

export function formatOf(path: string): ImportFormat | null {
  const extension = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension === 'csv') return 'csv';
  if (extension === 'json') return 'json';
  if (extension === 'ndjson' || extension === 'jsonl') return 'ndjson';
  return null;
}

export function parseFile(text: string, format: ImportFormat): ParsedFile {
  if (format === 'csv') return parseCsvFile(text);
  return format === 'json' ? parseJsonArray(text) : parseNdjson(text);
}

/** Collects one row; each `read` turns a raw value into the field's type or records why it cannot. */
class RowBuilder {
  readonly unreadable = new Set<string>();
  constructor(
    private readonly location: Location,
    private readonly problems: FileProblem[],
    /** CSV cells are all text; JSON says what is a number. */
    private readonly cellsAreText: boolean,
  ) {}

  problem(field: string | null, message: string): void {
    this.problems.push({ location: this.location, field, message });
    if (field) this.unreadable.add(field);
  }

  text(field: Column, raw: unknown): string {
    if (raw === undefined || raw === null || raw === '') {
      this.problem(field, 'missing');
      return '';
    }
    if (typeof raw !== 'string') {
      this.problem(field, `must be a string, not ${typeof raw === 'object' ? 'an object or array' : `the ${typeof raw} ${String(raw).slice(0, 20)}`}`);
      return '';
    }
    return raw.trim();
  }

  /** A CSV cell "12.5" is read as a number; JSON must give a number. */
  number(field: Column, raw: unknown, integer: boolean): number {
    const kind = integer ? 'an integer' : 'a number';
    if (raw === undefined || raw === null || raw === '') {
      this.problem(field, 'missing');
      return Number.NaN;
    }
    let value: number;
    if (typeof raw === 'number') value = raw;
    else if (this.cellsAreText && typeof raw === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)) value = Number(raw);
    else {
      const hint = typeof raw === 'string' && /^\s*[+-]?\d+,\d+\s*$/.test(raw) ? ' (use a dot for decimals)' : '';
      this.problem(field, `must be ${kind}, got ${JSON.stringify(raw).slice(0, 40)}${hint}`);
      return Number.NaN;
    }
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) {
      this.problem(field, `must be ${kind}, got ${String(raw).trim().slice(0, 40)}`);
      return Number.NaN;
    }
    return value;
  }

  /** An optional text cell: absent or empty is null. */
  optional(field: 'note' | 'status' | 'sourceReport', raw: unknown): string | null {
    if (raw === undefined || raw === null || raw === '') return null;
    if (typeof raw !== 'string') {
      this.problem(field, 'must be a string');
      return null;
    }
    return field === 'note' ? raw : raw.trim();
  }
}

/** TLP 2.0 writes AMBER+STRICT; the API's enum spells it AMBER_STRICT. Both are accepted. */
const tlpOf = (value: string) => (value.toUpperCase() === 'AMBER+STRICT' ? 'AMBER_STRICT' : value);

function toRow(record: Record<string, unknown>, location: Location, problems: FileProblem[], cellsAreText: boolean) {
  const b = new RowBuilder(location, problems, cellsAreText);
  const row: ObservationInputRow = {
    indicator: b.text('indicator', record.indicator),
    country: b.text('country', record.country),
    period: b.text('period', record.period),
    value: b.number('value', record.value, false),
    tlp: tlpOf(b.text('tlp', record.tlp)),
    sourceReliability: b.text('sourceReliability', record.sourceReliability),
    informationCredibility: b.number('informationCredibility', record.informationCredibility, true),
    note: b.optional('note', record.note),
    status: b.optional('status', record.status),
    sourceReport: b.optional('sourceReport', record.sourceReport),
  };
  return { row, unreadable: b.unreadable };
}

function collector(cellsAreText = false): ParsedFile & { add(record: Record<string, unknown>, location: Location): void } {
  const file: ParsedFile = { rows: [], locations: [], unreadable: [], problems: [] };
  return {
    ...file,
    add(record, location) {
      const { row, unreadable } = toRow(record, location, file.problems, cellsAreText);
      file.rows.push(row);
      file.locations.push(location);
      file.unreadable.push(unreadable);
    },
  };
}

function unknownKeys(keys: readonly string[]): string[] {
  return keys.filter((k) => !(COLUMNS as readonly string[]).includes(k));
}

/** Header on line 1, the first value on line 2; a quoted note may span lines, and is numbered by its first. */
function parseCsvFile(text: string): ParsedFile {
  const out = collector(true);
  // One line ending, so line numbers are right whatever editor saved the file (csv-parse counts a
  // quoted CRLF twice); a CRLF inside a quoted note becomes LF, which changes nothing it means.
  const normalized = text.replace(/\r\n?/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(normalized, {
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      relax_column_count: true,
    }) as unknown as typeof records;
  } catch (error) {
    const at = (error as { lines?: number }).lines ?? 1;
    out.problems.push({ location: line(at), field: null, message: `not valid CSV: ${(error as Error).message}` });
    return out;
  }
  const [header, ...data] = records;
  if (!header) {
    out.problems.push({ location: line(1), field: null, message: `the file is empty; the first line must name the columns: ${COLUMNS.join(',')}` });
    return out;
  }
  const names = header.record.map((name) => name.trim());
  const missing = REQUIRED.filter((c) => !names.includes(c));
  const unknown = unknownKeys(names);
  const doubled = names.filter((n, i) => names.indexOf(n) !== i);
  const headerLine = line(header.info.lines);
  if (missing.length) out.problems.push({ location: headerLine, field: null, message: `missing column(s): ${missing.join(', ')} (the columns are ${COLUMNS.join(',')})` });
  if (unknown.length) out.problems.push({ location: headerLine, field: null, message: `unknown column(s): ${unknown.join(', ')} (the columns are ${COLUMNS.join(',')})` });
  if (doubled.length) out.problems.push({ location: headerLine, field: null, message: `column(s) named twice: ${[...new Set(doubled)].join(', ')}` });
  if (missing.length || unknown.length || doubled.length) return out;

  for (const { record, info } of data) {
    const newlines = record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);
    const at = line(info.lines - newlines);
    if (record.length !== names.length) {
      out.problems.push({ location: at, field: null, message: `has ${record.length} field(s), the header has ${names.length}` });
      continue;
    }
    out.add(Object.fromEntries(names.map((name, i) => [name, record[i]])), at);
  }
  return out;
}

function checkObject(value: unknown, location: Location, problems: FileProblem[]): Record<string, unknown> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ location, field: null, message: `must be an object with the keys ${COLUMNS.join(', ')}` });
    return null;
  }
  const unknown = unknownKeys(Object.keys(value));
  if (unknown.length) problems.push({ location, field: null, message: `unknown key(s): ${unknown.join(', ')} (the keys are ${COLUMNS.join(', ')})` });
  return value as Record<string, unknown>;
}

/** JSON.parse reports a character position; an editor wants the line. */
function jsonErrorLine(text: string, error: Error): number {
  const position = /position (\d+)/.exec(error.message)?.[1];
  return position === undefined ? 1 : text.slice(0, Number(position)).split('\n').length;
}

function parseJsonArray(text: string): ParsedFile {
  const out = collector();
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    out.problems.push({ location: line(jsonErrorLine(text, error as Error)), field: null, message: `not valid JSON: ${(error as Error).message}` });
    return out;
  }
  if (!Array.isArray(value)) {
    out.problems.push({ location: line(1), field: null, message: 'a .json file must hold one array of observations (use .ndjson for one object per line)' });
    return out;
  }
  value.forEach((item, i) => {
    const record = checkObject(item, element(i), out.problems);
    if (record) out.add(record, element(i));
  });
  return out;
}

function parseNdjson(text: string): ParsedFile {
  const out = collector();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((content, i) => {
      if (content.trim() === '') return;
      const at = line(i + 1);
      let value: unknown;
      try {
        value = JSON.parse(content);
      } catch (error) {
        out.problems.push({ location: at, field: null, message: `not valid JSON: ${(error as Error).message}` });
        return;
      }
      const record = checkObject(value, at, out.problems);
      if (record) out.add(record, at);
    });
  return out;
}
