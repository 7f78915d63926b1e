/**
 * The sample data describes the network as of late November 2026: every published, recorded or granted
 * moment falls before SAMPLE_NOW, so "recent" queries and expiry checks see a realistic present.
 */
export const SAMPLE_NOW = new Date(Date.UTC(2026, 10, 28));
/** The last monthly period of the observation series (October 2026, reported in early November). */
export const SERIES_END = { year: 2026, month: 10 } as const;
export const DAY_MS = 86_400_000;

export function isoDate(year: number, month: number, day = 1): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** The instant just after a period that starts at (year, month) and lasts `months` months. */
export function periodEnd(year: number, month: number, months: number): Date {
  return new Date(Date.UTC(year, month - 1 + months, 1));
}

export function clampBefore(date: Date, limit: Date): Date {
  return date.getTime() < limit.getTime() ? date : new Date(limit.getTime() - DAY_MS / 2);
}
