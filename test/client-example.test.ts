import { execFile } from 'node:child_process';
import { ApolloClient, CombinedGraphQLErrors, HttpLink, InMemoryCache, gql as apolloGql } from '@apollo/client';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../src/auth/dev-keys.js';
import { gql, startTestApp, type TestApp } from './support/app.js';

/**
 * The partner developer's example client (examples/client/latest-reports.ts), run as a partner runs it —
 * `npx tsx`, URL and TOKEN in the environment — against the real server, so the docs never show a
 * client that stopped working.
 */
let api: TestApp;
beforeAll(async () => {
  api = await startTestApp();
});
afterAll(() => api?.stop());

/** Runs the client without blocking this process (the server under test lives in it). */
function runClient(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'examples/client/latest-reports.ts'], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('examples/client/latest-reports.ts', () => {
  it('pages through the reports the token may see and prints them as a table', async () => {
    const token = await signDevToken('memory://', { org: 'sc-1267', roles: ['analyst'], sub: 'sample:sc-1267:analyst-1' });
    const { code, stdout, stderr } = await runClient({ URL: `${api.url}/graphql`, TOKEN: token, COUNTRY: 'TJK', LIMIT: '45', PAGE_SIZE: '20' });
    expect(stderr.trim()).toBe('');
    expect(code).toBe(0);

    const expected = await gql(
      api.url,
      '{ reports(first: 45, filter: { country: "TJK" }) { totalCount edges { node { title tlp sourceReliability informationCredibility author { acronym } } } } }',
      {},
      { authorization: `Bearer ${token}` },
    );
    type Node = { title: string; tlp: string; sourceReliability: string; informationCredibility: number; author: { acronym: string } };
    const reports = expected.data!.reports.edges.map((e: { node: Node }) => e.node);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^published\s+tlp\s+grade\s+author\s+countries\s+title$/);
    const rows = lines.slice(1, 1 + reports.length);
    expect(rows).toHaveLength(45);
    rows.forEach((row, i) => {
      expect(row).toMatch(/^\d{4}-\d{2}-\d{2}\s/);
      expect(row).toContain(reports[i].tlp);
      expect(row).toContain(` ${reports[i].sourceReliability}${reports[i].informationCredibility} `);
      expect(row).toContain(reports[i].author.acronym);
      expect(row.endsWith(reports[i].title)).toBe(true);
    });
    // 45 reports in pages of 20: three requests, following pageInfo.endCursor.
    expect(lines.at(-1)).toBe(`45 of ${expected.data!.reports.totalCount} reports visible to this token, in 3 page(s)`);
  });

  it('without a token sees only TLP:CLEAR reports, and prints them though the source grade is FORBIDDEN (partial data)', async () => {
    const { code, stdout, stderr } = await runClient({ URL: `${api.url}/graphql`, TOKEN: '', LIMIT: '10' });
    expect(code).toBe(0);
    const rows = stdout.trimEnd().split('\n').slice(1, 11);
    expect(rows).toHaveLength(10);
    // The grade is for members: null with a FORBIDDEN error on each report, shown as "--".
    expect(rows.every((row) => /^\S+\s+CLEAR\s+--\s/.test(row))).toBe(true);
    expect(stderr.trim()).toBe('FORBIDDEN: informationCredibility, sourceReliability withheld on 10 report(s) (shown as -): this token may not read them');
  });

  it('fails with the API error code when the token is not valid', async () => {
    const { code, stdout, stderr } = await runClient({ URL: `${api.url}/graphql`, TOKEN: 'not-a-token' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^UNAUTHENTICATED: /);
  });
});

/**
 * docs/DEVELOPERS.md, "Partial data": a field the caller may not read is null with a FORBIDDEN error
 * beside the rest of the answer. These are the settings the docs give for each client, checked with the
 * client itself against the server, so that the docs say what the libraries really do.
 */
describe('partial data (a FORBIDDEN field beside data) in common GraphQL clients', () => {
  // Anonymous: the source grade is for members, the titles are public.
  const QUERY = 'query Graded { reports(first: 2) { edges { node { title sourceReliability } } } }';
  type Graded = { reports: { edges: { node: { title: string; sourceReliability: string | null } }[] } };
  const expectPartial = (data: Graded | undefined) => {
    expect(data!.reports.edges).toHaveLength(2);
    for (const { node } of data!.reports.edges) expect(node).toMatchObject({ title: expect.any(String), sourceReliability: null });
  };
  const forbidden = expect.objectContaining({ path: ['reports', 'edges', 0, 'node', 'sourceReliability'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) });

  it('graphql-request: request() throws by default; errorPolicy "all" with rawRequest() returns data and errors', async () => {
    const url = `${api.url}/graphql`;
    const thrown = await new GraphQLClient(url).request<Graded>(QUERY).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ClientError);
    // The partial answer is still there, on the error.
    expectPartial((thrown as ClientError).response.data as Graded);

    const client = new GraphQLClient(url, { errorPolicy: 'all' });
    const { data, errors } = await client.rawRequest<Graded>(QUERY);
    expectPartial(data);
    expect(errors).toContainEqual(forbidden);
    // request() with errorPolicy "all" returns the data and drops the errors: use rawRequest to see them.
    expectPartial(await client.request<Graded>(QUERY));
  });

  it('Apollo Client: the default errorPolicy ("none") rejects; errorPolicy "all" returns data and error', async () => {
    const client = new ApolloClient({ link: new HttpLink({ uri: `${api.url}/graphql` }), cache: new InMemoryCache() });
    await expect(client.query<Graded>({ query: apolloGql(QUERY), fetchPolicy: 'no-cache' })).rejects.toBeInstanceOf(CombinedGraphQLErrors);

    const { data, error } = await client.query<Graded>({ query: apolloGql(QUERY), fetchPolicy: 'no-cache', errorPolicy: 'all' });
    expectPartial(data as Graded);
    expect(CombinedGraphQLErrors.is(error)).toBe(true);
    expect((error as CombinedGraphQLErrors).errors).toContainEqual(forbidden);
    client.stop();
  });

  it('urql: data and error together by default (result.error.graphQLErrors)', async () => {
    const client = new UrqlClient({ url: `${api.url}/graphql`, exchanges: [fetchExchange], preferGetMethod: false });
    const { data, error } = await client.query<Graded>(QUERY, {}).toPromise();
    expectPartial(data);
    expect(error?.graphQLErrors.map((e) => ({ path: e.path, extensions: e.extensions }))).toContainEqual(forbidden);
  });
});
