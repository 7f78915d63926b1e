import { and, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/audit.js';
import { grants } from '../src/db/schema/grants.js';
import { reports } from '../src/db/schema/reports.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type PersonaName, type TestIdentityProvider } from './support/tokens.js';

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp(idp.env);
});
afterAll(() => api?.stop());

const SHARE = `mutation($input: ShareReportInput!) { shareReport(input: $input) { id reportId organizationId person purpose active grantedBy } }`;
const REVOKE = `mutation($id: UUID!) { revokeShare(grantId: $id) { id active revokedAt } }`;
const SEE = `query($id: UUID!) { report(id: $id) { id } }`;

const as = async (persona: PersonaName) => headersFor(idp, persona);

const used = new Set<string>();

/**
 * A kaz-ct report of the marking that no test used yet and that has no grant to any of `grantees`
 * (organization ids or persons), so whoever sees it afterwards sees it because of this test's grant.
 */
async function kazReport(tlp: 'AMBER' | 'AMBER_STRICT' | 'RED' | 'GREEN' | 'CLEAR', grantees: string[] = [], authorSub?: string) {
  const list = grantees.length ? sql`array[${sql.join(grantees.map((g) => sql`${g}`), sql`, `)}]::text[]` : sql`array[]::text[]`;
  const rows = await api.app.database.db
    .select({ id: reports.id })
    .from(reports)
    .where(
      and(
        eq(reports.authorOrgId, 'kaz-ct'),
        eq(reports.tlp, tlp),
        authorSub ? eq(reports.authorSub, authorSub) : undefined,
        sql`not exists (select 1 from grants g where g.report_id = ${reports.id} and (g.grantee_org_id = any(${list}) or g.grantee_sub = any(${list})))`,
      ),
    )
    .orderBy(reports.id);
  const row = rows.find((r) => !used.has(r.id));
  if (!row) throw new Error(`no unused ${tlp} report of kaz-ct without grants to ${grantees.join(', ')}`);
  used.add(row.id);
  return row.id;
}

async function sees(persona: PersonaName, id: string): Promise<boolean> {
  const { data } = await gql(api.url, SEE, { id }, await as(persona));
  return data!.report !== null;
}

describe('sharing a report', () => {
  it("the originator's org-admin shares an AMBER report; the grantee sees it at once, then not after revocation", async () => {
    const id = await kazReport('AMBER', ['sco-rats']);
    expect(await sees('scoRats', id)).toBe(false);
    const shared = await gql(api.url, SHARE, { input: { reportId: id, organizationId: 'sco-rats', purpose: 'Joint assessment' } }, await as('kazAdmin'));
    expect(shared.errors).toBeUndefined();
    expect(shared.data!.shareReport).toMatchObject({ reportId: id, organizationId: 'sco-rats', person: null, active: true, grantedBy: 'sample:kaz-ct:analyst-1' });
    expect(await sees('scoRats', id)).toBe(true);
    expect(await sees('civilSociety', id)).toBe(false);

    const revoked = await gql(api.url, REVOKE, { id: shared.data!.shareReport.id }, await as('kazAdmin'));
    expect(revoked.data!.revokeShare).toMatchObject({ active: false, revokedAt: expect.any(String) });
    expect(await sees('scoRats', id)).toBe(false);
    const again = await gql(api.url, REVOKE, { id: shared.data!.shareReport.id }, await as('kazAdmin'));
    expect(again.errors![0]!.extensions!.code).toBe('CONFLICT');
  });

  it('each change is written with its audit entry', async () => {
    const id = await kazReport('AMBER');
    const shared = await gql(api.url, SHARE, { input: { reportId: id, organizationId: 'cica', purpose: 'Conference preparation' } }, await as('kazAdmin'));
    const grantId = shared.data!.shareReport.id;
    await gql(api.url, REVOKE, { id: grantId }, await as('kazAdmin'));
    const entries = await api.app.database.db
      .select({ action: auditEvents.action, actorSub: auditEvents.actorSub, actorOrgId: auditEvents.actorOrgId, origins: auditEvents.originOrgIds, reportIds: auditEvents.reportIds })
      .from(auditEvents)
      .where(and(eq(auditEvents.kind, 'WRITE'), sql`${auditEvents.grantIds} @> array[${grantId}]::uuid[]`))
      .orderBy(auditEvents.id);
    expect(entries).toEqual([
      { action: 'shareReport', actorSub: 'sample:kaz-ct:analyst-1', actorOrgId: 'kaz-ct', origins: ['kaz-ct'], reportIds: [id] },
      { action: 'revokeShare', actorSub: 'sample:kaz-ct:analyst-1', actorOrgId: 'kaz-ct', origins: ['kaz-ct'], reportIds: [id] },
    ]);
  });

  it('TLP:AMBER reaches the clients of a grantee; AMBER+STRICT does not', async () => {
    const amber = await kazReport('AMBER', ['sc-1267', 'sc-1988', 'monitoring-team']);
    const strict = await kazReport('AMBER_STRICT', ['sc-1267', 'sc-1988', 'monitoring-team']);
    for (const id of [amber, strict]) {
      const r = await gql(api.url, SHARE, { input: { reportId: id, organizationId: 'sc-1267', purpose: 'Sanctions review' } }, await as('kazAdmin'));
      expect(r.errors).toBeUndefined();
      expect(await sees('committee1267', id)).toBe(true);
    }
    expect(await sees('monitoringTeam', amber)).toBe(true);
    expect(await sees('monitoringTeam', strict)).toBe(false);
    expect(await sees('committee1988', amber)).toBe(false);
  });

  it('TLP:RED is shared with a named person only', async () => {
    // TLP:RED is for named persons: the org-admin shares it only if it is one of them (here, the author).
    const red = await kazReport('RED', ['sample:unodc:analyst-1'], 'sample:kaz-ct:analyst-1');
    const toOrg = await gql(api.url, SHARE, { input: { reportId: red, organizationId: 'unodc', purpose: 'Need to know' } }, await as('kazAdmin'));
    expect(toOrg.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(toOrg.errors![0]!.message).toMatch(/named persons only/);
    expect(await sees('unodcAnalyst', red)).toBe(false);
    const toPerson = await gql(
      api.url,
      SHARE,
      { input: { reportId: red, person: 'sample:unodc:analyst-1', organizationId: 'unodc', purpose: 'Need to know' } },
      await as('kazAdmin'),
    );
    expect(toPerson.errors).toBeUndefined();
    expect(toPerson.data!.shareReport).toMatchObject({ organizationId: 'unodc', person: 'sample:unodc:analyst-1' });
    expect(await sees('unodcAnalyst', red)).toBe(true);
    // Another person of the originating organization still does not.
    const colleague = { authorization: `Bearer ${await idp.sign({ sub: 'sample:kaz-ct:analyst-2', org: 'kaz-ct', roles: ['analyst'] })}` };
    expect((await gql(api.url, SEE, { id: red }, colleague)).data!.report).toBeNull();
    expect(await authorSubOf(red)).toBe('sample:kaz-ct:analyst-1');
  });

  it('an expired grant stops access at once', async () => {
    const id = await kazReport('AMBER', ['csto']);
    const r = await gql(api.url, SHARE, { input: { reportId: id, organizationId: 'csto', purpose: 'Short review', expiresAt: new Date(Date.now() + 1500).toISOString() } }, await as('kazAdmin'));
    expect(r.errors).toBeUndefined();
    const csto = { sub: 'csto-analyst', org: 'csto', roles: ['analyst'] };
    const headers = { authorization: `Bearer ${await idp.sign(csto)}` };
    expect((await gql(api.url, SEE, { id }, headers)).data!.report).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1700));
    expect((await gql(api.url, SEE, { id }, headers)).data!.report).toBeNull();
  });
});

async function authorSubOf(id: string) {
  const [row] = await api.app.database.db.select({ sub: reports.authorSub }).from(reports).where(eq(reports.id, id));
  return row!.sub;
}

/**
 * A `sub` is unique only within the identity provider of its organization: the network's token issuer
 * signs any `sub` for any organization, so a person is an organization and a `sub` together.
 */
describe('a person is an organization and a sub (TLP:RED cannot be reached with a borrowed sub)', () => {
  const forged = async (sub: string, org: string) => ({ authorization: `Bearer ${await idp.sign({ sub, org, roles: ['analyst'] })}` });
  const RED_LIST = `{ reports(first: 100, filter: { tlp: RED }) { totalCount edges { node { id } } } }`;

  it("a token of another organization with the author's sub does not read the author's RED report, by id, in lists or in the export", async () => {
    const red = await kazReport('RED', [], 'sample:kaz-ct:analyst-1');
    const impostor = await forged('sample:kaz-ct:analyst-1', 'sco-rats');
    expect((await gql(api.url, SEE, { id: red }, impostor)).data!.report).toBeNull();
    const listed = await gql(api.url, RED_LIST, {}, impostor);
    expect(listed.data!.reports.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(red);
    const exported = await (await fetch(`${api.url}/export/reports.ndjson`, { headers: impostor })).text();
    expect(exported).not.toContain(red);
    // The author, in the author's organization, still reads it.
    expect(await sees('kazAdmin', red)).toBe(true);
  });

  it('a person grant reaches the named person in the named organization only', async () => {
    const red = await kazReport('RED', ['sample:unodc:analyst-2']);
    // Under TLP:RED only named persons see the report: the org-admin who shares it is its author.
    const author = { authorization: `Bearer ${await idp.sign({ sub: await authorSubOf(red), org: 'kaz-ct', roles: ['org-admin'] })}` };
    const share = { reportId: red, person: 'sample:unodc:analyst-2', organizationId: 'unodc', purpose: 'Need to know' };
    expect((await gql(api.url, SHARE, { input: share }, author)).errors).toBeUndefined();
    expect((await gql(api.url, SEE, { id: red }, await forged('sample:unodc:analyst-2', 'unodc'))).data!.report).toEqual({ id: red });
    for (const org of ['sco-rats', 'kaz-ct', 'monitoring-team']) {
      const other = await forged('sample:unodc:analyst-2', org);
      expect((await gql(api.url, SEE, { id: red }, other)).data!.report, org).toBeNull();
      expect((await gql(api.url, RED_LIST, {}, other)).data!.reports.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(red);
    }
  });

  it("the sample data's person grants, read with the grantee's sub under another organization, give nothing", async () => {
    const [grant] = await api.app.database.db
      .select({ reportId: grants.reportId, sub: grants.granteeSub, org: grants.granteePersonOrgId })
      .from(grants)
      .innerJoin(reports, eq(reports.id, grants.reportId))
      .where(and(sql`${grants.granteeSub} is not null`, isNull(grants.revokedAt), isNull(grants.expiresAt), sql`${reports.authorOrgId} <> 'sco-rats'`))
      .limit(1);
    expect(grant!.org).not.toBeNull();
    expect((await gql(api.url, SEE, { id: grant!.reportId }, await forged(grant!.sub!, grant!.org!))).data!.report).not.toBeNull();
    expect((await gql(api.url, SEE, { id: grant!.reportId }, await forged(grant!.sub!, 'sco-rats'))).data!.report).toBeNull();
  });
});

describe('sharing is refused with a clear error', () => {
  const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

  it('for a contributor who is not org-admin (FORBIDDEN), and for anonymous callers', async () => {
    const id = await kazReport('AMBER');
    const input = { reportId: id, organizationId: 'unodc', purpose: 'Need to know' };
    expect(code(await gql(api.url, SHARE, { input }, await as('kazContributor')))).toBe('FORBIDDEN');
    expect(code(await gql(api.url, SHARE, { input }))).toBe('FORBIDDEN');
    const [none] = await api.app.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(grants)
      .where(and(eq(grants.reportId, id), eq(grants.granteeOrgId, 'unodc'), sql`${grants.grantedAt} > now() - interval '1 minute'`));
    expect(none!.n).toBe(0);
  });

  it("for another organization's report (FORBIDDEN when visible, NOT_FOUND when hidden or missing)", async () => {
    const [green] = await api.app.database.db.select({ id: reports.id }).from(reports).where(and(eq(reports.tlp, 'AMBER'), eq(reports.authorOrgId, 'unodc'))).limit(1);
    const hidden = await gql(api.url, SHARE, { input: { reportId: green!.id, organizationId: 'cica', purpose: 'Widening' } }, await as('kazAdmin'));
    expect(code(hidden)).toBe('NOT_FOUND');
    const missing = await gql(api.url, SHARE, { input: { reportId: '00000000-0000-4000-8000-000000000000', organizationId: 'cica', purpose: 'x y z' } }, await as('kazAdmin'));
    expect(code(missing)).toBe('NOT_FOUND');
    expect(missing.errors![0]!.message).toBe(hidden.errors![0]!.message);
    const [visible] = await api.app.database.db.select({ id: reports.id }).from(reports).where(and(eq(reports.tlp, 'GREEN'), eq(reports.authorOrgId, 'unodc'))).limit(1);
    const notOwner = await gql(api.url, SHARE, { input: { reportId: visible!.id, organizationId: 'cica', purpose: 'Widening' } }, await as('kazAdmin'));
    expect(code(notOwner)).toBe('FORBIDDEN');
  });

  it('for a marking that needs no grant, a past expiry, an inactive grantee, both or neither grantee, a duplicate', async () => {
    const green = await kazReport('GREEN');
    const amber = await kazReport('AMBER', ['unodc']);
    const admin = await as('kazAdmin');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ reportId: green, organizationId: 'unodc', purpose: 'Need to know' }, /needs no grant/],
      [{ reportId: amber, organizationId: 'unodc', purpose: 'Need to know', expiresAt: '2020-01-01T00:00:00Z' }, /expiresAt must be in the future/],
      [{ reportId: amber, organizationId: 'inactive-sample', purpose: 'Need to know' }, /inactive organization/],
      [{ reportId: amber, organizationId: 'no-such-org', purpose: 'Need to know' }, /Unknown or inactive organization/],
      [{ reportId: amber, organizationId: 'unodc', person: 'someone', purpose: 'Need to know' }, /shared with organizations, not persons/],
      [{ reportId: amber, purpose: 'Need to know' }, /Give organizationId/],
      [{ reportId: amber, person: 'someone', purpose: 'Need to know' }, /person's organization: give organizationId too/],
      [{ reportId: amber, organizationId: 'unodc', purpose: 'x' }, /purpose must be 3 to 500 characters/],
    ];
    for (const [input, message] of cases) {
      const response = await gql(api.url, SHARE, { input }, admin);
      expect(code(response), JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(response.errors![0]!.message).toMatch(message);
    }
    const first = await gql(api.url, SHARE, { input: { reportId: amber, organizationId: 'unodc', purpose: 'Need to know' } }, admin);
    expect(first.errors).toBeUndefined();
    const duplicate = await gql(api.url, SHARE, { input: { reportId: amber, organizationId: 'unodc', purpose: 'Again' } }, admin);
    expect(code(duplicate)).toBe('CONFLICT');
    const active = await api.app.database.db.select({ id: grants.id }).from(grants).where(and(eq(grants.reportId, amber), eq(grants.granteeOrgId, 'unodc'), isNull(grants.revokedAt)));
    expect(active).toHaveLength(1);
  });
});

describe('sharing an observation', () => {
  it('works like reports, and sharedWith shows the grant to the originator only', async () => {
    const { observations } = await import('../src/db/schema/observations.js');
    const [obs] = await api.app.database.db
      .select({ id: observations.id, indicator: observations.indicatorCode, country: observations.countryIso3, periodStart: observations.periodStart })
      .from(observations)
      .where(and(eq(observations.sourceOrgId, 'kaz-ct'), eq(observations.tlp, 'AMBER'), isNull(observations.supersededAt)))
      .limit(1);
    const shared = await gql(
      api.url,
      'mutation($input: ShareObservationInput!) { shareObservation(input: $input) { id observationId organizationId } }',
      { input: { observationId: obs!.id, organizationId: 'unodc', purpose: 'Data verification' } },
      await as('kazAdmin'),
    );
    expect(shared.errors).toBeUndefined();
    const q = `query($code: String!, $country: String, $p: Period) { indicator(code: $code) { observations(country: $country, from: $p, to: $p) { edges { node { id sharedWith { organizationId } } } } } }`;
    const vars = { code: obs!.indicator, country: obs!.country, p: obs!.periodStart.slice(0, 7) };
    const unodc = await gql(api.url, q, vars, await as('unodcAnalyst'));
    expect(unodc.data!.indicator.observations.edges[0].node.id).toBe(obs!.id);
    expect(unodc.data!.indicator.observations.edges[0].node.sharedWith).toBeNull();
    const owner = await gql(api.url, q, vars, await as('kazContributor'));
    expect(owner.data!.indicator.observations.edges[0].node.sharedWith).toContainEqual({ organizationId: 'unodc' });
  });
});
