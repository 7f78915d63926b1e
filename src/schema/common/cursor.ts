import { badInput } from '../../errors.js';

/**
 * Cursors are opaque to clients: base64url of a small JSON array of the sort key values, tagged with the
 * list's ordering so a cursor from one ordering cannot be replayed against another.
 */
export function encodeCursor(tag: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify([tag, ...key]), 'utf8').toString('base64url');
}

export function decodeCursor(tag: string, cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
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
  values.forEach((value, i) => {
    if (typeof value !== shape[i]) throw invalid();
  });
  return values as (string | number)[];
}
