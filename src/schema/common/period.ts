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

/** How far ahead a recorded value may be: the current instant and MAX_FUTURE_PERIODS (0: none ahead). */
export interface PeriodHorizon {
  now: Date;
  maxFuturePeriods: number;
}

const MONTHS: Record<string, number> = { MONTHLY: 1, QUARTERLY: 3, ANNUAL: 12 };
const monthIndex = (start: string) => Number(start.slice(0, 4)) * 12 + Number(start.slice(5, 7)) - 1;
const startOf = (index: number) => day(Math.floor(index / 12), (index % 12) + 1);

/**
 * Why a value for this period may not be recorded yet, or null. A period after the current one (UTC) is
 * a typo or a forecast: a file of months in 2036 once raised 552 real alerts, so forecasts must be
 * allowed explicitly (MAX_FUTURE_PERIODS periods of the period's own length).
 */
export function futurePeriodRefusal(period: ParsedPeriod, horizon: PeriodHorizon): string | null {
  if (horizon.maxFuturePeriods === Number.POSITIVE_INFINITY) return null;
  const months = MONTHS[period.periodicity]!;
  const now = horizon.now.getUTCFullYear() * 12 + horizon.now.getUTCMonth();
  const current = now - (now % months);
  const latest = current + horizon.maxFuturePeriods * months;
  if (monthIndex(period.start) <= latest) return null;
  const label = formatPeriod(period.start, period.periodicity);
  const currentLabel = formatPeriod(startOf(current), period.periodicity);
  if (horizon.maxFuturePeriods === 0) return `"${label}" is after the current period (${currentLabel}): values for future periods are not accepted`;
  const n = horizon.maxFuturePeriods;
  return `"${label}" is more than ${n} period${n === 1 ? '' : 's'} after the current one (${currentLabel}): the latest accepted is ${formatPeriod(startOf(latest), period.periodicity)}`;
}
