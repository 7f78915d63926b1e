import { describe, expect, it } from 'vitest';
import { evaluate, mostRestrictive, previousPeriodStart, type IndicatorSpec, type SeriesPoint } from '../src/alerts/rules.js';

const higher: IndicatorSpec = { worseDirection: 'HIGHER', thresholdWatch: 10, thresholdWarning: 20, thresholdCritical: 30, periodicity: 'MONTHLY' };
const lower: IndicatorSpec = { worseDirection: 'LOWER', thresholdWatch: 50, thresholdWarning: 40, thresholdCritical: 30, periodicity: 'MONTHLY' };

/** A monthly series from 2024-01 with the given values, all GREEN. */
function series(values: number[], tlp = 'GREEN'): SeriesPoint[] {
  return values.map((value, i) => ({
    id: `o${i}`,
    periodStart: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    value,
    tlp,
  }));
}

function last(values: number[], spec = higher, existing = {}) {
  const points = series(values);
  return evaluate(spec, points.at(-1)!, points.slice(0, -1), existing);
}

describe('threshold rule', () => {
  it('raises on a new condition, with the threshold reached', () => {
    expect(last([5, 6, 25]).filter((c) => c.rule === 'THRESHOLD')).toEqual([
      expect.objectContaining({ level: 'WARNING', threshold: 20, value: 25, observationIds: ['o2'], tlp: 'GREEN' }),
    ]);
  });

  it('raises on escalation, not on a level that persists or falls', () => {
    expect(last([25, 35]).filter((c) => c.rule === 'THRESHOLD').map((c) => c.level)).toEqual(['CRITICAL']);
    expect(last([25, 26]).filter((c) => c.rule === 'THRESHOLD')).toEqual([]);
    expect(last([35, 25]).filter((c) => c.rule === 'THRESHOLD')).toEqual([]);
  });

  it('reads thresholds downwards when lower is worse', () => {
    expect(last([60, 60, 35], lower).filter((c) => c.rule === 'THRESHOLD').map((c) => [c.level, c.threshold])).toEqual([['WARNING', 40]]);
  });

  it('compares with the previous period only when it is the period just before (a gap is a new condition)', () => {
    const points = series([25, 5, 5, 26]);
    const gap = [points[0]!]; // only 2024-01 known before 2024-04
    expect(evaluate(higher, points[3]!, gap).filter((c) => c.rule === 'THRESHOLD').map((c) => c.level)).toEqual(['WARNING']);
  });

  it('does not raise twice for the same period (a correction raises only if it escalates)', () => {
    expect(last([5, 25], higher, { THRESHOLD: 'WARNING' }).filter((c) => c.rule === 'THRESHOLD')).toEqual([]);
    expect(last([5, 35], higher, { THRESHOLD: 'WARNING' }).filter((c) => c.rule === 'THRESHOLD').map((c) => c.level)).toEqual(['CRITICAL']);
  });
});

describe('trend rule (z-score over the previous 12 periods)', () => {
  const flat = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6];

  it('raises when the value breaks its baseline, with mean, deviation and z', () => {
    const [trend] = last([...flat, 8]).filter((c) => c.rule === 'TREND');
    expect(trend).toMatchObject({ level: 'CRITICAL', baselineMean: 5.5 });
    expect(trend!.zScore).toBeGreaterThan(4);
    expect(trend!.observationIds).toHaveLength(13);
  });

  it('levels by z: 2.5 watch, 3 warning, 4 critical; nothing below', () => {
    const sd = Math.sqrt(flat.reduce((s, v) => s + (v - 5.5) ** 2, 0) / 11);
    const at = (z: number) => last([...flat, 5.5 + z * sd + 1e-9]).find((c) => c.rule === 'TREND')?.level;
    expect([at(2), at(2.6), at(3.2), at(4.1)]).toEqual([undefined, 'WATCH', 'WARNING', 'CRITICAL']);
  });

  it('counts in the worse direction only', () => {
    expect(last([...flat, 1]).filter((c) => c.rule === 'TREND')).toEqual([]);
    expect(last([...flat.map((v) => v + 100), 70], lower).filter((c) => c.rule === 'TREND').map((c) => c.level)).toEqual(['CRITICAL']);
  });

  it('needs at least 6 earlier values', () => {
    expect(last([5, 6, 5, 6, 5, 50]).filter((c) => c.rule === 'TREND')).toEqual([]);
    expect(last([5, 6, 5, 6, 5, 6, 50]).filter((c) => c.rule === 'TREND')).toHaveLength(1);
  });

  it('carries the most restrictive marking of the values behind it', () => {
    const points = series([...flat, 50]);
    points[3] = { ...points[3]!, tlp: 'AMBER_STRICT' };
    points[7] = { ...points[7]!, tlp: 'AMBER' };
    const trend = evaluate(higher, points.at(-1)!, points.slice(0, -1)).find((c) => c.rule === 'TREND');
    expect(trend!.tlp).toBe('AMBER_STRICT');
    expect(mostRestrictive(['CLEAR', 'RED', 'GREEN'])).toBe('RED');
  });
});

describe('periods', () => {
  it('steps back one month, quarter or year', () => {
    expect(previousPeriodStart('2024-01-01', 'MONTHLY')).toBe('2023-12-01');
    expect(previousPeriodStart('2024-04-01', 'QUARTERLY')).toBe('2024-01-01');
    expect(previousPeriodStart('2024-01-01', 'QUARTERLY')).toBe('2023-10-01');
    expect(previousPeriodStart('2024-01-01', 'ANNUAL')).toBe('2023-01-01');
  });
});
