import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizations } from '../src/db/schema/organizations.js';
import { gql, startTestApp, statementsOf, type TestApp } from './support/app.js';
import { createIdentityProvider, type TestIdentityProvider } from './support/tokens.js';

/**
 * Reference data (countries, indicators, organizations) is one snapshot per process, kept for
 * REFERENCE_CACHE_TTL_MS: requests stop re-reading it, and a change made in the database reaches
 * requests once the snapshot is older than that (immediately with 0).
 */
const WHO = '{ viewer { authenticated organizationId } }';
const AUTHORS = '{ reports(first: 20) { edges { node { id author { id acronym } countries { iso3 name } } } } }';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let idp: TestIdentityProvider;
let cached: TestApp;
let fresh: TestApp;
beforeAll(async () => {
  idp = await createIdentityProvider();
  [cached, fresh] = await Promise.all([
    startTestApp({ ...idp.env, REFERENCE_CACHE_TTL_MS: '600000' }),
    startTestApp({ ...idp.env, REFERENCE_CACHE_TTL_MS: '0' }),
  ]);
});
afterAll(async () => {
  await Promise.all([cached?.stop(), fresh?.stop()]);
});

const deactivate = (api: TestApp, id: string, active: boolean) =>
  api.app.database.db.update(organizations).set({ active }).where(eq(organizations.id, id));

describe('the reference data snapshot', () => {
  it('spares every request the reference reads: authors and countries cost no statement once it is taken', async () => {
    const token = bearer(await idp.sign({ sub: 'a', org: 'unodc', roles: ['analyst'] }));
    await gql(cached.url, AUTHORS, {}, token);
    const warm = await gql(cached.url, AUTHORS, {}, token);
    const everyTime = await gql(fresh.url, AUTHORS, {}, token);
    expect(warm.errors).toBeUndefined();
    expect(warm.data).toEqual(everyTime.data);
    // With the snapshot: the page alone (each report carries its country codes). Without: also the four reference reads.
    expect(statementsOf(warm)).toBe(1);
    expect(statementsOf(everyTime)).toBe(5);
  });

  it('with REFERENCE_CACHE_TTL_MS=0, an organization deactivated in the database is refused at once', async () => {
    const token = bearer(await idp.sign({ sub: 'b', org: 'cica', roles: ['analyst'] }));
    expect((await gql(fresh.url, WHO, {}, token)).data!.viewer.authenticated).toBe(true);
    await deactivate(fresh, 'cica', false);
    const refused = await gql(fresh.url, WHO, {}, token);
    expect(refused.status).toBe(401);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('within the TTL the snapshot is served as taken: the change waits for the next snapshot', async () => {
    const token = bearer(await idp.sign({ sub: 'c', org: 'cica', roles: ['analyst'] }));
    expect((await gql(cached.url, WHO, {}, token)).data!.viewer.authenticated).toBe(true);
    await deactivate(cached, 'cica', false);
    expect((await gql(cached.url, WHO, {}, token)).data!.viewer.authenticated).toBe(true);
  });
});
