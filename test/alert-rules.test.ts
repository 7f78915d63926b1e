import { describe, expect, it } from 'vitest';
import { countTail, evaluate, mostRestrictive, previousPeriodStart, reconcile, type IndicatorSpec, type SeriesPoint } from '../src/alerts/rules.js';

// Measures whose TREND may fire below the watch level (the z-score tests below are about the z rule alone).
const higher: IndicatorSpec = { worseDirection: 'HIGHER', basis: 'ABSOLUTE', thresholdWatch: 10, thresholdWarning: 20, thresholdCritical: 30, periodicity: 'MONTHLY', scale: 'MEASURE', trendBelowWatch: true };
const lower: IndicatorSpec = { worseDirection: 'LOWER', basis: 'ABSOLUTE', thresholdWatch: 50, thresholdWarning: 40, thresholdCritical: 30, periodicity: 'MONTHLY', scale: 'MEASURE', trendBelowWatch: true };

/** A monthly series from 2024-01 with the given values, all GREEN. */
function series(values: number[], tlp = 'GREEN'): SeriesPoint[] {
  return values.map((value, i) => ({
    id: `o${i}`,
    periodStart: `${2024 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}-01`,
    value,
    tlp,
    recordedAt: new Date(Date.UTC(2024, i + 1, 10)),
  }));
}

function last(values: number[], spec = higher) {
  const points = series(values);
  return evaluate(spec, points.at(-1)!, points.slice(0, -1));
}

describe('threshold rule', () => {
  it('raises on a new condition, with the threshold reached; the previous value compared with is behind it too', () => {
    expect(last([5, 6, 25]).filter((c) => c.rule === 'THRESHOLD')).toEqual([
      expect.objectContaining({ level: 'WARNING', threshold: 20, value: 25, observationIds: ['o2', 'o1'], tlp: 'GREEN' }),
    ]);
  });

  it("carries the previous value's marking, and is known when the later of the two was recorded", () => {
    const points = series([5, 25]);
    points[0] = { ...points[0]!, tlp: 'AMBER', recordedAt: new Date('2025-06-01T00:00:00Z') };
    const [threshold] = evaluate(higher, points[1]!, [points[0]!]);
    expect(threshold).toMatchObject({ tlp: 'AMBER', knownAt: new Date('2025-06-01T00:00:00Z') });
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

  it('reconciles with the standing alerts: keeps what still holds, supersedes what does not, raises the rest', () => {
    const holding = [
      { ...last([5, 25])[0]!, periodStart: '2024-02-01' }, // WARNING holds
      { ...last([5, 35])[0]!, periodStart: '2024-03-01' }, // CRITICAL now, WARNING before
    ];
    const standing = [
      { id: 'a1', periodStart: '2024-02-01', rule: 'THRESHOLD' as const, level: 'WARNING' },
      { id: 'a2', periodStart: '2024-02-01', rule: 'THRESHOLD' as const, level: 'WARNING' }, // a duplicate from before
      { id: 'a3', periodStart: '2024-03-01', rule: 'THRESHOLD' as const, level: 'WARNING' },
      { id: 'a4', periodStart: '2024-04-01', rule: 'TREND' as const, level: 'WATCH' }, // no longer holds
    ];
    const { keep, supersede, raise } = reconcile(holding, standing);
    expect(keep).toEqual(['a1']);
    expect(supersede).toEqual(['a2', 'a3', 'a4']);
    expect(raise.map((c) => [c.periodStart, c.level])).toEqual([['2024-03-01', 'CRITICAL']]);
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

describe('trend rule: the watch level and counts', () => {
  const flat = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6];
  const measure: IndicatorSpec = { ...higher, trendBelowWatch: false };
  const count: IndicatorSpec = { ...higher, scale: 'COUNT', trendBelowWatch: false, thresholdWatch: 4, thresholdWarning: 20, thresholdCritical: 30 };

  it('needs the watch level unless the indicator opts out', () => {
    expect(evaluate(measure, series([...flat, 8]).at(-1)!, series(flat)).filter((c) => c.rule === 'TREND')).toEqual([]);
    expect(evaluate(higher, series([...flat, 8]).at(-1)!, series(flat)).filter((c) => c.rule === 'TREND')).toHaveLength(1);
  });

  it('does not flood on small counts: 4 against a mean of 3 is nothing (it was CRITICAL, z 6.7)', () => {
    const threes = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    const points = series([...threes, 4]);
    expect(evaluate({ ...measure, thresholdWatch: 4 }, points.at(-1)!, points.slice(0, -1)).find((c) => c.rule === 'TREND')?.level).toBe('CRITICAL');
    expect(evaluate(count, points.at(-1)!, points.slice(0, -1)).filter((c) => c.rule === 'TREND')).toEqual([]);
  });

  it('levels a count by its tail probability under the baseline, with the probability kept', () => {
    const threes = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3];
    const at = (value: number) => evaluate(count, series([...threes, value]).at(-1)!, series(threes)).find((c) => c.rule === 'TREND');
    // Poisson(3): P(X ≥ 9) = 0.38 %, P(X ≥ 10) = 0.11 %, P(X ≥ 14) = 0.0010 %.
    expect([at(8)?.level, at(9)?.level, at(10)?.level, at(14)?.level]).toEqual([undefined, 'WATCH', 'WARNING', 'CRITICAL']);
    expect(at(10)!.tailProbability).toBeCloseTo(0.001102, 5);
  });

  it('a count series that varies more than Poisson allows is judged by a negative binomial (wider tails)', () => {
    const noisy = [1, 9, 2, 8, 1, 9, 2, 8, 1, 9, 2, 8]; // mean 5, variance ~13
    const points = series([...noisy, 14]);
    const poissonTail = countTail(14, 5, 5, 'HIGHER');
    const fittedTail = countTail(14, 5, 13.1, 'HIGHER');
    expect(poissonTail).toBeLessThan(0.001);
    expect(fittedTail).toBeGreaterThan(0.01);
    expect(evaluate(count, points.at(-1)!, points.slice(0, -1)).filter((c) => c.rule === 'TREND')).toEqual([]);
  });

  it('the tail of a count where lower is worse counts downwards', () => {
    expect(countTail(0, 10, 10, 'LOWER')).toBeCloseTo(Math.exp(-10), 10);
    expect(countTail(10, 10, 10, 'HIGHER') + countTail(9, 10, 10, 'LOWER')).toBeCloseTo(1, 10);
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
