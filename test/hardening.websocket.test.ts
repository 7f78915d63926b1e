import { execute, parse } from 'graphql';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext } from '../src/auth/context.js';
import { reports } from '../src/db/schema/reports.js';
import { operationCost } from '../src/http/limits.js';
import { buildApiSchema } from '../src/schema/build.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';
import { connect, type Socket, type SocketReply } from './support/ws.js';

/**
 * Threat: the WebSocket transport (graphql-ws on /graphql) as a way around every HTTP guard — introspection
 * and the subgraph SDL in production, cost, depth, alias and size limits, rate limits, writes, unmasked
 * errors. A production server with the default limits, through a real graphql-ws client.
 */
let prod: TestApp;
let idp: TestIdentityProvider;
let anonymous: Socket;
beforeAll(async () => {
  idp = await createIdentityProvider();
  // The open-subscription cap (which counts operations still being admitted too) is raised above 700 here, so
  // that the per-minute limit is what the 700-operation test measures.
  prod = await startTestApp({ ...idp.env, NODE_ENV: 'production', WS_SUBSCRIPTIONS_PER_CONNECTION: '1000' });
  anonymous = await connect(prod.url);
});
afterAll(async () => {
  await anonymous?.close();
  await prod?.stop();
});

const codeOf = (reply: SocketReply) => reply.errors?.[0]?.extensions?.code;
const refused = (reply: SocketReply, code: string) => {
  expect(reply.open).toBe(false);
  expect(reply.data ?? null).toBeNull();
  expect(codeOf(reply)).toBe(code);
};
const bearer = async (persona: Parameters<typeof headersFor>[1]) => (await headersFor(idp, persona)).authorization!;

describe('only subscriptions over the socket', () => {
  it('refuses an introspection query (production, no token) and answers nothing of the schema', async () => {
    const reply = await anonymous.send({ query: '{ __schema { queryType { name } types { name } } }' });
    refused(reply, 'BAD_REQUEST');
    expect(reply.errors![0]!.message).toMatch(/Only subscription operations.*POST \/graphql/);
    expect(JSON.stringify(reply)).not.toContain('"Report"');
  });

  it('refuses `{ _service { sdl } }`: no SDL over the socket', async () => {
    const reply = await anonymous.send({ query: '{ _service { sdl } }' });
    refused(reply, 'BAD_REQUEST');
    expect(JSON.stringify(reply)).not.toContain('type Report');
  });

  it('refuses a mutation with a contributor token, and nothing is written', async () => {
    const count = async () => (await prod.app.database.db.select({ n: sql<number>`count(*)::int` }).from(reports))[0]!.n;
    const before = await count();
    const kaz = await connect(prod.url, await bearer('kazContributor'));
    try {
      const reply = await kaz.send({
        query: 'mutation($input: CreateReportInput!) { createReport(input: $input) { id } }',
        variables: {
          input: { title: 'Over the socket', language: 'EN', summary: 's', body: 'b', kind: 'SITUATION_ASSESSMENT', topics: ['ONLINE_PROPAGANDA'], countries: ['KAZ'], indicators: ['OP-01'], tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 },
        },
      });
      refused(reply, 'BAD_REQUEST');
    } finally {
      await kaz.close();
    }
    expect(await count()).toBe(before);
  });

  it('the `_service` field rule denies a context that does not carry the introspection decision', async () => {
    // The gap the socket used: its context had no flag, and the rule read "not false" as allowed.
    const { database } = prod.app;
    const contextValue = createContext(database.counted({ count: 0 }), { kind: 'anonymous' }, undefined, database.reference);
    const result = await execute({ schema: await buildApiSchema(), document: parse('{ _service { sdl } }'), contextValue });
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(result.data ?? null)).not.toContain('type Report');
  });

  it('still serves a subscription within the limits', async () => {
    expect(await anonymous.send({ query: 'subscription { alertRaised { id level country { iso3 } } }' }, 1000)).toEqual({ open: true });
  });
});

describe('the HTTP limits apply to subscriptions', () => {
  // 1 + country (1 + reports 100 × (edges: node: countries 6 × reports 100 × …)): far above MAX_COST 25,000.
  const EXPENSIVE = 'subscription { alertRaised { country { reports(first: 100) { edges { node { countries { reports(first: 100) { edges { node { id title } } } } } } } } } }';

  it('cost: refused with QUERY_TOO_COMPLEX and the same figure as HTTP', async () => {
    const cost = operationCost(await buildApiSchema(), parse(EXPENSIVE), {});
    expect(cost).toBeGreaterThan(25_000);
    const reply = await anonymous.send({ query: EXPENSIVE });
    refused(reply, 'QUERY_TOO_COMPLEX');
    expect(reply.errors![0]!.extensions).toMatchObject({ cost, limit: 25_000 });
  });

  it('a negative `first` neither cancels the cost nor reaches execution', async () => {
    const reply = await anonymous.send({ query: EXPENSIVE.replace('reports(first: 100) { edges { node { id', 'reports(first: -10000000) { edges { node { id') });
    refused(reply, 'BAD_USER_INPUT');
    expect(reply.errors![0]!.message).toMatch(/first must be between 1 and 100/);
  });

  it('depth 40: refused by the depth rule', async () => {
    // alertRaised → country → (reports → edges → node → countries) × 10: 42 levels.
    let deep = 'id';
    for (let i = 0; i < 10; i++) deep = `reports(first: 1) { edges { node { countries { ${deep} } } } }`;
    const reply = await anonymous.send({ query: `subscription { alertRaised { country { ${deep} } } }` });
    refused(reply, 'GRAPHQL_VALIDATION_FAILED');
    expect(reply.errors![0]!.message).toMatch(/deeper than the limit of 12/);
  });

  it('200 aliases: refused by the alias rule', async () => {
    const aliases = Array.from({ length: 200 }, (_, i) => `a${i}: id`).join(' ');
    const reply = await anonymous.send({ query: `subscription { alertRaised { ${aliases} } }` });
    refused(reply, 'GRAPHQL_VALIDATION_FAILED');
    expect(reply.errors!.some((e) => /more than 20 aliases/.test(e.message))).toBe(true);
  });

  it('11 directives: refused by the directive rule', async () => {
    const reply = await anonymous.send({ query: `subscription { alertRaised { ${'id @include(if: true) '.repeat(11)} } }` });
    refused(reply, 'GRAPHQL_VALIDATION_FAILED');
    expect(reply.errors!.some((e) => /more than 10 directives/.test(e.message))).toBe(true);
  });

  it('more than MAX_TOKENS tokens: a parse error', async () => {
    const reply = await anonymous.send({ query: `subscription { alertRaised { ${'id '.repeat(5_000)} } }` });
    refused(reply, 'GRAPHQL_PARSE_FAILED');
  });

  it('a document longer than MAX_DOCUMENT_BYTES is refused before parsing, whatever it holds (comments are not tokens)', async () => {
    const padded = (bytes: number) => {
      const head = 'subscription { alertRaised { id } }\n#';
      return head + 'x'.repeat(bytes - head.length);
    };
    expect(await anonymous.send({ query: padded(100_000) }, 1000)).toEqual({ open: true });
    const reply = await anonymous.send({ query: padded(100_001) });
    refused(reply, 'BAD_USER_INPUT');
    expect(reply.errors![0]!.extensions).toMatchObject({ limit: 100_000 });
  });

  it('variables that do not coerce: BAD_USER_INPUT, as over HTTP', async () => {
    const reply = await anonymous.send({ query: 'subscription($l: AlertLevel) { alertRaised(minLevel: $l) { id } }', variables: { l: 'LOUD' } });
    refused(reply, 'BAD_USER_INPUT');
  });
});

describe('errors over the socket are masked and capped like HTTP', () => {
  it('no "did you mean" in production', async () => {
    const reply = await anonymous.send({ query: 'subscription { alertRaised { idd } }' });
    refused(reply, 'GRAPHQL_VALIDATION_FAILED');
    expect(reply.errors![0]!.message).toMatch(/Cannot query field "idd"/);
    expect(JSON.stringify(reply)).not.toMatch(/Did you mean/);
  });

  it('at most MAX_ERRORS (10) errors, then one "and N more"', async () => {
    const unknown = Array.from({ length: 150 }, (_, i) => `f${i}`).join(' ');
    const reply = await anonymous.send({ query: `subscription { alertRaised { ${unknown} } }` });
    refused(reply, 'GRAPHQL_VALIDATION_FAILED');
    expect(reply.errors).toHaveLength(11);
    expect(reply.errors![10]!.message).toMatch(/and \d+ more errors/);
    expect(JSON.stringify(reply).length).toBeLessThan(3_000);
  });
});

describe('rate limits over the socket', () => {
  it('WS_OPERATIONS_PER_MIN per connection: of 700 operations sent at once, 120 are served, the rest RATE_LIMITED', async () => {
    const socket = await connect(prod.url, await bearer('expert'));
    try {
      const replies = await Promise.all(Array.from({ length: 700 }, () => socket.send({ query: 'subscription { alertRaised { id } }' }, 2000)));
      const limited = replies.filter((r) => codeOf(r) === 'RATE_LIMITED');
      expect(replies.filter((r) => r.open)).toHaveLength(120);
      expect(limited).toHaveLength(580);
      expect(limited[0]!.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await socket.close();
    }
  });

  describe('WS_SUBSCRIPTIONS_PER_CONNECTION: subscriptions open at once on one connection', () => {
    const SUB = { query: 'subscription { alertRaised { id } }' };
    let capped: TestApp;
    beforeAll(async () => {
      capped = await startTestApp({ ...idp.env, NODE_ENV: 'production', WS_SUBSCRIPTIONS_PER_CONNECTION: '3' });
    });
    afterAll(() => capped?.stop());

    it('at most 3 are open; completing one frees its place; another connection has its own', async () => {
      const token = await bearer('expert');
      const socket = await connect(capped.url, token);
      const other = await connect(capped.url, token);
      try {
        const stopFirst = socket.client.subscribe(SUB, { next: () => undefined, error: () => undefined, complete: () => undefined });
        for (let i = 0; i < 2; i++) expect((await socket.send(SUB, 500)).open).toBe(true);
        const fourth = await socket.send(SUB);
        refused(fourth, 'BAD_REQUEST');
        expect(fourth.errors![0]!.extensions!.limit).toBe(3);
        expect((await other.send(SUB, 500)).open).toBe(true);
        stopFirst();
        await new Promise((r) => setTimeout(r, 200));
        expect((await socket.send(SUB, 500)).open).toBe(true);
      } finally {
        await socket.close();
        await other.close();
      }
    });
  });

  describe("the organization's HTTP budget is shared with its sockets", () => {
    let small: TestApp;
    beforeAll(async () => {
      small = await startTestApp({ ...idp.env, NODE_ENV: 'production', RATE_LIMIT_REQUESTS_PER_MIN: '4' });
    });
    afterAll(() => small?.stop());

    it('2 HTTP requests + 2 subscriptions spend 4 a minute; the 5th operation is refused on either transport; other organizations are unaffected', async () => {
      const headers = await headersFor(idp, 'scoRats');
      for (let i = 0; i < 2; i++) expect((await gql(small.url, '{ viewer { authenticated } }', {}, headers)).status).toBe(200);
      const socket = await connect(small.url, headers.authorization);
      try {
        for (let i = 0; i < 2; i++) expect((await socket.send({ query: 'subscription { alertRaised { id } }' }, 1000)).open).toBe(true);
        refused(await socket.send({ query: 'subscription { alertRaised { id } }' }), 'RATE_LIMITED');
      } finally {
        await socket.close();
      }
      expect((await gql(small.url, '{ viewer { authenticated } }', {}, headers)).status).toBe(429);
      expect((await gql(small.url, '{ viewer { authenticated } }', {}, await headersFor(idp, 'unodcAnalyst'))).status).toBe(200);
    });
  });
});
