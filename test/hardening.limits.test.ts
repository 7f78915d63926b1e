import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiSchema } from '../src/schema/build.js';
import { operationCost } from '../src/http/limits.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

/** Small limits, so each can be tested just inside and just outside. */
const LIMITS = {
  MAX_TOKENS: '60',
  MAX_DEPTH: '5',
  MAX_ALIASES: '3',
  MAX_DIRECTIVES: '2',
  MAX_ROOT_FIELDS: '3',
  MAX_COST: '500',
  MAX_BATCH: '2',
  MAX_BODY_BYTES: '20000',
  MAX_DOCUMENT_BYTES: '1000',
  MAX_ERRORS: '10',
  RATE_LIMIT_REQUESTS_PER_MIN: '1000',
};

let api: TestApp;
let idp: TestIdentityProvider;
beforeAll(async () => {
  idp = await createIdentityProvider();
  api = await startTestApp({ ...idp.env, ...LIMITS });
});
afterAll(() => api?.stop());

const code = (r: { errors?: { extensions?: Record<string, unknown> }[] }) => r.errors?.[0]?.extensions?.code;

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('request body size (MAX_BODY_BYTES)', () => {
  it('accepts a body just under the limit and answers 413 just over it', async () => {
    const inside = await post({ query: '{ countries { iso3 } }', variables: { pad: 'x'.repeat(19_000) } });
    expect(inside.status).toBe(200);
    const outside = await post({ query: '{ countries { iso3 } }', variables: { pad: 'x'.repeat(21_000) } });
    expect(outside.status).toBe(413);
    expect(outside.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const response = await fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
  });
});

describe('document size in tokens (MAX_TOKENS)', () => {
  // `{ country(iso3: "TJK") { iso3 … } }`: 10 tokens around k repetitions of `iso3`.
  const doc = (k: number) => `{ country(iso3: "TJK") { ${'iso3 '.repeat(k)}} }`;
  it('parses 60 tokens and refuses 61 with a 400 parse error', async () => {
    expect((await gql(api.url, doc(50))).errors).toBeUndefined();
    const outside = await gql(api.url, doc(51));
    expect(outside.status).toBe(400);
    expect(code(outside)).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('depth (MAX_DEPTH), counting fragments correctly', () => {
  const depth5 = '{ country(iso3: "TJK") { reports(first: 2) { edges { node { id } } } } }';
  const depth6 = '{ country(iso3: "TJK") { reports(first: 2) { edges { node { author { id } } } } } }';
  it('allows 5 levels and refuses 6', async () => {
    expect((await gql(api.url, depth5)).errors).toBeUndefined();
    const outside = await gql(api.url, depth6);
    expect(outside.status).toBe(400);
    expect(code(outside)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(outside.errors![0]!.message).toMatch(/deeper than the limit of 5/);
  });

  it('a fragment spread is not a level, and cannot hide one either', async () => {
    const viaFragment5 = '{ country(iso3: "TJK") { ...C } } fragment C on Country { reports(first: 2) { edges { node { id } } } }';
    expect((await gql(api.url, viaFragment5)).errors).toBeUndefined();
    const viaFragment6 = '{ country(iso3: "TJK") { ...C } } fragment C on Country { reports(first: 2) { edges { node { author { id } } } } }';
    expect(code(await gql(api.url, viaFragment6))).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('aliases (MAX_ALIASES)', () => {
  it('allows 3 and refuses 4, __typename aliases included', async () => {
    expect((await gql(api.url, '{ a: countries { iso3 } b: countries { iso3 } c: __typename }')).errors).toBeUndefined();
    const outside = await gql(api.url, '{ a: __typename b: __typename c: __typename d: __typename }');
    expect(code(outside)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(outside.errors![0]!.message).toMatch(/more than 3 aliases/);
  });
});

describe('directives (MAX_DIRECTIVES)', () => {
  it('allows 2 and refuses 3', async () => {
    expect((await gql(api.url, '{ countries @include(if: true) { iso3 @skip(if: false) } }')).errors).toBeUndefined();
    expect(code(await gql(api.url, '{ countries @include(if: true) { iso3 @skip(if: false) iso2 @skip(if: false) } }'))).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('root fields per operation (MAX_ROOT_FIELDS)', () => {
  it('allows 3 and refuses 4, through fragments too', async () => {
    expect((await gql(api.url, '{ countries { iso3 } indicators { code } viewer { authenticated } }')).errors).toBeUndefined();
    const outside = await gql(api.url, '{ countries { iso3 } indicators { code } ...Q } fragment Q on Query { viewer { authenticated } reports { totalCount } }');
    expect(code(outside)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(outside.errors![0]!.message).toMatch(/4 root fields; the limit is 3/);
  });
});

describe('query cost (MAX_COST), page sizes from variables included', () => {
  const Q = 'query($n: Int) { reports(first: $n) { edges { node { id countries { iso3 } } } } }';
  it('admits the cost limit exactly and refuses one page size more', async () => {
    const schema = await buildApiSchema();
    const costOf = (n: number) => operationCost(schema, parse(Q), { n });
    let n = 1;
    while (costOf(n + 1) <= 500) n += 1;
    expect(costOf(n)).toBeLessThanOrEqual(500);
    expect((await gql(api.url, Q, { n })).errors).toBeUndefined();
    const outside = await gql(api.url, Q, { n: n + 1 });
    expect(outside.status).toBe(400);
    expect(outside.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: costOf(n + 1), limit: 500 });
    // The same page size as a literal costs the same.
    expect(code(await gql(api.url, Q.replace('query($n: Int) ', '').replace('$n', String(n + 1))))).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('a `first` out of range cannot cancel the cost limit (issue 12)', () => {
  // Cost far above MAX_COST 500 on its own; a list of first: -10000000 used to make the total negative.
  const EXPENSIVE = '{ reports(first: 100) { edges { node { id countries { iso3 } } } } }';
  const WITH_NEGATIVE = '{ reports(first: 100) { edges { node { id countries { iso3 } } } } x: auditEvents(first: -10000000) { edges { node { id } } } }';

  it('refuses the negative page with BAD_USER_INPUT before anything runs', async () => {
    expect(code(await gql(api.url, EXPENSIVE))).toBe('QUERY_TOO_COMPLEX');
    const response = await gql(api.url, WITH_NEGATIVE, {}, await headersFor(idp, 'auditor'));
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]).toMatchObject({ message: 'first must be between 1 and 100', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('as a variable too, and above 100 likewise', async () => {
    const Q = 'query($n: Int!) { reports(first: $n) { edges { node { id } } } }';
    for (const n of [-10_000_000, 0, 101]) {
      const response = await gql(api.url, Q, { n });
      expect(response.status).toBe(400);
      expect(code(response)).toBe('BAD_USER_INPUT');
    }
  });

  it('a cost is never below the cost of the selection itself, not even when variables do not coerce', async () => {
    const schema = await buildApiSchema();
    expect(() => operationCost(schema, parse('{ auditEvents(first: -10000000) { edges { node { id } } } }'), {})).toThrow(/first must be between 1 and 100/);
    // reports, edges, node, id: 4 fields; execution refuses the variable as BAD_USER_INPUT.
    expect(operationCost(schema, parse('query($n: Int!) { reports(first: $n) { edges { node { id } } } }'), { n: 'ten' })).toBe(4);
  });
});

describe('errors per response (MAX_ERRORS)', () => {
  it('lists 10 errors, then one "and N more", instead of every one', async () => {
    const unknown = 'abcdefghijklmno'.split('').join(' ');
    const response = await gql(api.url, `{ country(iso3: "TJK") { ${unknown} } }`);
    expect(response.status).toBe(400);
    expect(response.errors).toHaveLength(11);
    expect(response.errors!.slice(0, 10).every((e) => /Cannot query field/.test(e.message))).toBe(true);
    expect(response.errors![10]).toMatchObject({ message: expect.stringMatching(/and 5 more errors/), extensions: { code: 'GRAPHQL_VALIDATION_FAILED', omitted: 5 } });
  });

  it('beside data every FORBIDDEN error is kept: its path tells the client which null is a refusal', async () => {
    // The anonymous viewer may not read a report's grading: one FORBIDDEN per row of the page.
    const response = await gql(api.url, '{ reports(first: 30) { edges { node { id sourceReliability } } } }');
    const rows = (response.data as { reports: { edges: unknown[] } }).reports.edges.length;
    expect(rows).toBeGreaterThan(10);
    expect(response.errors).toHaveLength(rows);
    expect(response.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && Array.isArray(e.path))).toBe(true);
  });
});

describe('document length (MAX_DOCUMENT_BYTES), below the body limit', () => {
  // Comments are no tokens: MAX_TOKENS alone lets a document of any length through to the parser.
  const padded = (bytes: number, filler = 'x') => {
    const head = '{ countries { iso3 } }\n#';
    return head + filler.repeat(Math.ceil((bytes - head.length) / Buffer.byteLength(filler)));
  };

  it('parses a document of 1000 bytes and refuses 1001 with 413 before parsing', async () => {
    expect((await post({ query: padded(1000) })).status).toBe(200);
    const outside = await post({ query: padded(1001) });
    expect(outside.status).toBe(413);
    expect(outside.body.errors[0]).toMatchObject({ message: 'The GraphQL document is 1001 bytes; the limit is 1000', extensions: { code: 'BAD_USER_INPUT', limit: 1000 } });
  });

  it('counts bytes, not characters, and applies to each operation of a batch and to GET', async () => {
    const cyrillic = padded(1002, 'я');
    expect(cyrillic.length).toBeLessThan(1000);
    expect((await post({ query: cyrillic })).status).toBe(413);
    expect((await post([{ query: '{ countries { iso3 } }' }, { query: padded(1001) }])).status).toBe(413);
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent(padded(1001))}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(get.status).toBe(413);
  });
});

describe('request body charsets', () => {
  const send = (charset: string, body: Buffer) =>
    fetch(`${api.url}/graphql`, { method: 'POST', headers: { 'content-type': `application/json; charset=${charset}` }, body });
  const json = JSON.stringify({ query: '{ country(iso3: "TJK") { iso3 } }' });

  it('accepts UTF-8 and the UTF-16 the GraphQL-over-HTTP spec allows', async () => {
    const utf8 = await send('utf-8', Buffer.from(json, 'utf8'));
    expect(utf8.status).toBe(200);
    const utf16 = await send('utf-16le', Buffer.from(json, 'utf16le'));
    expect(utf16.status).toBe(200);
    expect(((await utf16.json()) as any).data.country.iso3).toBe('TJK');
  });

  it('answers 415 to UTF-7 and to non-Unicode charsets, as a GraphQL error', async () => {
    for (const charset of ['utf-7', '"UTF-7"', 'iso-8859-1']) {
      const response = await send(charset, Buffer.from(json, 'utf8'));
      expect(response.status).toBe(415);
      expect(((await response.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('HTTP batching (MAX_BATCH)', () => {
  it('runs a batch of 2 and refuses 3', async () => {
    const op = { query: '{ countries { iso3 } }' };
    const inside = await post([op, op]);
    expect(inside.status).toBe(200);
    expect(inside.body).toHaveLength(2);
    const outside = await post([op, op, op]);
    expect(outside.status).toBe(400);
    expect(outside.body.errors[0].message).toMatch(/at most 2 operations/);
  });
});

describe('per-organization rate limits', () => {
  let limited: TestApp;
  beforeAll(async () => {
    limited = await startTestApp({ ...idp.env, RATE_LIMIT_REQUESTS_PER_MIN: '5', RATE_LIMIT_COST_PER_MIN: '400' });
  });
  afterAll(() => limited?.stop());

  it('allows 5 requests a minute per organization, then answers 429 with Retry-After; other organizations are unaffected', async () => {
    const rats = await headersFor(idp, 'scoRats');
    for (let i = 0; i < 5; i++) expect((await gql(limited.url, '{ viewer { authenticated } }', {}, rats)).status).toBe(200);
    const refused = await gql(limited.url, '{ viewer { authenticated } }', {}, rats);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(code(refused)).toBe('RATE_LIMITED');
    expect((await gql(limited.url, '{ viewer { authenticated } }', {}, await headersFor(idp, 'unodcAnalyst'))).status).toBe(200);
  });

  it('counts query cost per minute too', async () => {
    const kaz = await headersFor(idp, 'kazContributor');
    // Cost 1 + 30 × (1 + 1 + 1 + 6 × 1 + … ) ≈ 300: one fits in the minute's 400, two do not.
    const expensive = '{ reports(first: 30) { edges { node { id countries { iso3 } } } } }';
    const cost = operationCost(await buildApiSchema(), parse(expensive), {});
    expect(cost).toBeGreaterThan(200);
    expect(cost).toBeLessThanOrEqual(400);
    const first = await gql(limited.url, expensive, {}, kaz);
    expect(first.status).toBe(200);
    const second = await gql(limited.url, expensive, {}, kaz);
    expect(second.status).toBe(429);
    expect(second.errors![0]!.message).toMatch(/query cost of 400 per minute/);
  });
});
