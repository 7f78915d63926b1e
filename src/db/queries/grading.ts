import { inArray, lte, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

/** Admiralty grading of a source, best first: A (completely reliable) … E (unreliable), F (cannot be judged). */
const RELIABILITY = ['A', 'B', 'C', 'D', 'E', 'F'] as const;

/** At least this good: `minReliability: B` is A or B, `minCredibility: 2` is 1 or 2 ("cannot be judged" is the last of each). */
export interface GradingFilter {
  minReliability?: string | null;
  minCredibility?: number | null;
}

export function gradingConditions(columns: { sourceReliability: AnyPgColumn; informationCredibility: AnyPgColumn }, filter: GradingFilter | null | undefined): SQL[] {
  const where: SQL[] = [];
  const rank = filter?.minReliability ? RELIABILITY.indexOf(filter.minReliability as (typeof RELIABILITY)[number]) : -1;
  if (rank >= 0 && rank < RELIABILITY.length - 1) where.push(inArray(columns.sourceReliability, RELIABILITY.slice(0, rank + 1)));
  if (filter?.minCredibility != null && filter.minCredibility < 6) where.push(lte(columns.informationCredibility, filter.minCredibility));
  return where;
}
