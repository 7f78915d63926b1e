import type { Periodicity } from './enums.js';

export interface ParsedPeriod {
  periodicity: Periodicity;
  /** First day of the period, YYYY-MM-DD. */
  start: string;
  /** First day after the period, YYYY-MM-DD. */
  end: string;
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (year: number, month: number) => `${year}-${pad(month)}-01`;
const next = (year: number, month: number) => (month > 12 ? day(year + 1, month - 12) : day(year, month));

/** Parses 2024-03, 2024-Q1 or 2024; throws a TypeError with a readable message otherwise. */
export function parsePeriod(text: string): ParsedPeriod {
  const match = /^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$/.exec(text);
  if (!match) throw new TypeError(`"${text.slice(0, 40)}" is not a period: use YYYY-MM, YYYY-Qn or YYYY`);
  const year = Number(match[1]);
  if (match[2]) {
    const month = Number(match[2]);
    return { periodicity: 'MONTHLY' as Periodicity, start: day(year, month), end: next(year, month + 1) };
  }
  if (match[3]) {
    const month = (Number(match[3]) - 1) * 3 + 1;
    return { periodicity: 'QUARTERLY' as Periodicity, start: day(year, month), end: next(year, month + 3) };
  }
  return { periodicity: 'ANNUAL' as Periodicity, start: day(year, 1), end: day(year + 1, 1) };
}

/** The period label of a period start date in an indicator's periodicity. */
export function formatPeriod(start: string, periodicity: Periodicity | string): string {
  const [year, month] = start.split('-');
  if (periodicity === 'ANNUAL') return `${year}`;
  if (periodicity === 'QUARTERLY') return `${year}-Q${Math.floor((Number(month) - 1) / 3) + 1}`;
  return `${year}-${month}`;
}
