import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observations } from '../src/db/schema/observations.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

/** A corrected TLP:CLEAR value of a monthly indicator, with the revision it replaced (also CLEAR). */
async function findCorrection() {
  const older = alias(observations, 'older');
  const [row] = await api.app.database.db
    .select({
      indicator: observations.indicatorCode,
      country: observations.countryIso3,
      periodStart: observations.periodStart,
      newValue: observations.value,
      correctedAt: observations.recordedAt,
      oldValue: older.value,
      oldRecordedAt: older.recordedAt,
    })
    .from(observations)
    .innerJoin(
      older,
      and(
        eq(older.indicatorCode, observations.indicatorCode),
        eq(older.countryIso3, observations.countryIso3),
        eq(older.periodStart, observations.periodStart),
        eq(older.revision, sql`${observations.revision} - 1`),
      ),
    )
    .where(and(eq(observations.tlp, 'CLEAR'), eq(older.tlp, 'CLEAR'), isNotNull(older.supersededAt)))
    .limit(1);
  if (!row) throw new Error('the sample data has no corrected CLEAR value');
  return row;
}

const SERIES = `query($code: String!, $country: String, $period: Period, $asOf: DateTimeISO) {
  indicator(code: $code) { observations(country: $country, from: $period, to: $period, asOf: $asOf) {
    totalCount edges { node { value revision recordedAt } } } }
}`;

describe('observation revisions', () => {
  it('shows the corrected value now, and the old one as of a date before the correction', async () => {
    const c = await findCorrection();
    const period = c.periodStart.slice(0, 7);
    const now = await gql(api.url, SERIES, { code: c.indicator, country: c.country, period });
    expect(now.errors).toBeUndefined();
    expect(now.data!.indicator.observations.edges).toEqual([
      { node: expect.objectContaining({ value: c.newValue, revision: expect.any(Number) }) },
    ]);
    const before = new Date(c.correctedAt.getTime() - 1000).toISOString();
    const then = await gql(api.url, SERIES, { code: c.indicator, country: c.country, period, asOf: before });
    expect(then.data!.indicator.observations.edges).toEqual([{ node: expect.objectContaining({ value: c.oldValue }) }]);
    const beforeAnything = new Date(c.oldRecordedAt.getTime() - 1000).toISOString();
    const nothing = await gql(api.url, SERIES, { code: c.indicator, country: c.country, period, asOf: beforeAnything });
    expect(nothing.data!.indicator.observations.totalCount).toBe(0);
  });

  it('counts one value per period, never a superseded revision beside its correction', async () => {
    const c = await findCorrection();
    const { data } = await gql(api.url, SERIES, { code: c.indicator, country: c.country });
    const all = await gql(
      api.url,
      'query($code: String!, $country: String) { indicator(code: $code) { observations(country: $country, first: 100) { edges { node { period } } } } }',
      { code: c.indicator, country: c.country },
    );
    const periods = all.data!.indicator.observations.edges.map((e: { node: { period: string } }) => e.node.period);
    expect(new Set(periods).size).toBe(periods.length);
    // The whole series fits one page: the count is exactly the periods listed, the corrected one once.
    expect(data!.indicator.observations.totalCount).toBe(periods.length);
    expect(periods.filter((p: string) => p === c.periodStart.slice(0, 7))).toHaveLength(1);
  });

  it('latest values read as of a date show only what was recorded by then', async () => {
    const c = await findCorrection();
    const q = `query($asOf: DateTimeISO) { countries { latestValues(asOf: $asOf) { value recordedAt period indicator { code } } } }`;
    const asOf = new Date(c.correctedAt.getTime() - 1000).toISOString();
    const { data, errors } = await gql(api.url, q, { asOf });
    expect(errors).toBeUndefined();
    const values = data!.countries.flatMap((country: { latestValues: { recordedAt: string }[] }) => country.latestValues);
    expect(values.length).toBeGreaterThan(30);
    expect(values.every((v: { recordedAt: string }) => v.recordedAt <= asOf)).toBe(true);
    const current = await gql(api.url, q, {});
    const latest = current.data!.countries.flatMap((country: { latestValues: { recordedAt: string }[] }) => country.latestValues);
    expect(latest.some((v: { recordedAt: string }) => v.recordedAt > asOf)).toBe(true);
  });
});
