import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

/**
 * BENCH_DISABLE_POLICY lets the benchmark measure what authorization costs (bench/README.md). It must
 * never reach a production deployment, and where it is on, it must really be off.
 * (Its own file: the row-rule switch holds for the whole process.)
 */
describe('the benchmark switch BENCH_DISABLE_POLICY', () => {
  it('is refused in production', () => {
    const production = {
      NODE_ENV: 'production',
      AUTH_JWKS_FILE: '/dev/null',
      AUTH_ISSUER: 'https://idp.example',
      AUTH_AUDIENCE: 'ct-ewn-graph',
    };
    expect(() => loadConfig({ ...production, BENCH_DISABLE_POLICY: '1' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production, BENCH_DISABLE_POLICY: '1' })).toThrow(/BENCH_DISABLE_POLICY: refused in production/);
    expect(loadConfig(production).BENCH_DISABLE_POLICY).toBe(false);
  });

  describe('in development, switched on', () => {
    let api: TestApp;
    beforeAll(async () => {
      api = await startTestApp({ BENCH_DISABLE_POLICY: '1' });
    });
    afterAll(() => api?.stop());

    it('serves rows and fields the policy would refuse to an anonymous caller', async () => {
      const response = await gql(api.url, '{ reports(first: 100, filter: { tlp: AMBER_STRICT }) { totalCount edges { node { tlp sourceReliability } } } }');
      expect(response.errors).toBeUndefined();
      expect(response.data!.reports.totalCount).toBeGreaterThan(0);
      expect(response.data!.reports.edges[0].node).toMatchObject({ tlp: 'AMBER_STRICT', sourceReliability: expect.any(String) });
    });
  });
});
