import { badInput } from '../../errors.js';
import { unsafeTextIn } from './text-input.js';

/**
 * Cursors are opaque to clients: base64url of a small JSON array of the sort key values, tagged with the
 * list's ordering so a cursor from one ordering cannot be replayed against another.
 */
export function encodeCursor(tag: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([tag, ...key]), 'utf8').toString('base64url');
}

/**
 * What each value of a cursor must be. A cursor is client input: its values reach SQL as parameters
 * cast to uuid, timestamptz or date, so each is checked to be exactly what encodeCursor writes (a forged
 * cursor with a malformed UUID or the year 275760 would otherwise fail inside PostgreSQL).
 * - `string`: text of at most 200 characters, nothing the text rule refuses (text-input.ts);
 * - `uuid`: a UUID in canonical lower-case form;
 * - `instant`: an instant as Date.toISOString writes it, year 0001 to 9999;
 * - `date`: a calendar date YYYY-MM-DD, year 0001 to 9999;
 * - `number`: a finite number; `integer`: a safe integer.
 */
export type CursorValue = 'string' | 'uuid' | 'instant' | 'date' | 'number' | 'integer';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INSTANT = /^(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isValue(kind: CursorValue, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string' && value.length <= 200 && unsafeTextIn(value, 'single-line') === undefined;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'instant': {
      const year = typeof value === 'string' ? INSTANT.exec(value)?.[1] : undefined;
      return year !== undefined && year !== '0000' && new Date(value as string).toISOString() === value;
    }
    case 'date': {
      const parts = typeof value === 'string' ? DATE.exec(value) : null;
      if (!parts || parts[1] === '0000') return false;
      const day = new Date(`${value as string}T00:00:00.000Z`);
      return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
    }
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isSafeInteger(value);
  }
}

export function decodeCursor(tag: string, cursor: string, shape: readonly CursorValue[]): (string | number)[] {
  const invalid = () => badInput('The `after` cursor is not valid for this list; use a pageInfo.endCursor from it', 'after');
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed[0] !== tag || parsed.length !== shape.length + 1) throw invalid();
  const values = parsed.slice(1) as unknown[];
  if (!values.every((value, i) => isValue(shape[i]!, value))) throw invalid();
  return values as (string | number)[];
}
