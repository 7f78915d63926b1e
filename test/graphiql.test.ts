import {
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBareSchema } from '../src/schema/build.js';
import { loadExamples } from '../src/http/graphiql/examples.js';
import { PERSONAS } from '../src/http/graphiql/personas.js';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider } from './support/tokens.js';

/** The page's configuration, read the way its script reads it (a JSON data block). */
function pageConfig(html: string): { personas: { id: string }[] | null; tokenEndpoint: string | null; examples: { name: string; query: string }[]; introspection: string } {
  const block = /<script type="application\/json" id="ctewn-config">([^<]*)<\/script>/.exec(html);
  expect(block, 'configuration block').not.toBeNull();
  return JSON.parse(block![1]!);
}

function directives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

const postToken = (url: string, body: unknown, contentType = 'application/json') =>
  fetch(`${url}/dev/token`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('the explorer in development (no identity provider)', () => {
  let api: TestApp;
  beforeAll(async () => {
    api = await startTestApp();
  });
  afterAll(() => api?.stop());

  it('/graphiql is HTML under a policy that admits this server only, and names no other host', async () => {
    const response = await fetch(`${api.url}/graphiql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(response.headers.get('content-security-policy') ?? '');
    expect(csp.get('default-src')).toEqual(["'self'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('font-src')).toEqual(["'self'"]);
    expect(csp.get('img-src')).toEqual(["'self'", 'data:']);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    // Same-origin sockets only: 'self' and this very host over ws/wss, no scheme-wide ws: or wss:.
    const host = new URL(api.url).host;
    expect(csp.get('connect-src')).toEqual(["'self'", `ws://${host}`, `wss://${host}`]);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    // No inline script: every <script> has a src, but the JSON data block (data, never executed).
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]!);
    expect(inline).toEqual([' type="application/json" id="ctewn-config"']);
  });

  it('serves every script, stylesheet and font the page references, from itself, cached for a year', async () => {
    const html = await (await fetch(`${api.url}/graphiql`)).text();
    const referenced = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:'));
    expect(referenced.length).toBeGreaterThanOrEqual(7);
    const fonts: string[] = [];
    for (const url of referenced) {
      expect(url, 'a path on this server').toMatch(/^\/graphiql\/assets\//);
      const asset = await fetch(`${api.url}${url}`);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(asset.headers.get('content-type')).toMatch(/^(text\/javascript|text\/css)/);
      const body = await asset.text();
      expect(body.length, url).toBeGreaterThan(100);
      if (url.endsWith('.css')) {
        const urls = [...body.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]!);
        expect(urls.filter((u) => /^https?:|^\/\//.test(u)), 'stylesheet loads nothing from elsewhere').toEqual([]);
        // font-src 'self': no font may stay a data: URL.
        expect(urls.filter((u) => u.startsWith('data:font'))).toEqual([]);
        fonts.push(...urls.filter((u) => u.startsWith('/')));
      }
    }
    expect(fonts.length).toBeGreaterThan(10);
    for (const font of fonts) {
      const response = await fetch(`${api.url}${font}`);
      expect(response.status, font).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^font\//);
    }
    expect((await fetch(`${api.url}/graphiql/assets/nothing.js`)).status).toBe(404);
  });

  it('compresses scripts for browsers that accept gzip', async () => {
    const html = await (await fetch(`${api.url}/graphiql`)).text();
    const graphiql = /src="(\/graphiql\/assets\/graphiql\.[^"]+\.js)"/.exec(html)![1]!;
    const response = await fetch(`${api.url}${graphiql}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect((await response.text()).length).toBeGreaterThan(500_000);
  });

  it('GET /graphql from a browser gets the page; API requests to /graphql are untouched', async () => {
    const browser = await fetch(`${api.url}/graphql`, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    expect(browser.status).toBe(200);
    expect(browser.headers.get('content-type')).toMatch(/^text\/html/);
    expect(browser.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await browser.text()).toContain('id="graphiql"');

    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{__typename}')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(get.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });

    // A browser address bar with a query: still the API.
    const browserWithQuery = await fetch(`${api.url}/graphql?query=${encodeURIComponent('{__typename}')}`, {
      headers: { accept: 'text/html', 'apollo-require-preflight': 'true' },
    });
    expect(browserWithQuery.headers.get('content-type')).not.toMatch(/^text\/html/);

    const post = await gql(api.url, '{ countries { iso3 } }');
    expect(post.status).toBe(200);
    expect(post.data!.countries).toHaveLength(6);

    // No Accept preference for HTML: Apollo answers (a GET without a query is a 400 there, not the page).
    const plain = await fetch(`${api.url}/graphql`, { headers: { accept: '*/*' } });
    expect(plain.headers.get('content-type')).not.toMatch(/^text\/html/);
  });

  it("answers GraphiQL's introspection query (the documentation explorer and autocompletion need it)", async () => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operationName: 'IntrospectionQuery', query: getIntrospectionQuery({ inputValueDeprecation: true }) }),
    });
    const body = (await response.json()) as { data?: { __schema: { types: unknown[] } }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body.data!.__schema.types.length).toBeGreaterThan(50);
  });

  it('carries the example operations and, in development, the personas', async () => {
    const config = pageConfig(await (await fetch(`${api.url}/graphiql`)).text());
    expect(config.examples.map((e) => e.name)).toEqual(loadExamples().map((e) => e.name));
    expect(config.examples[0]!.query).toContain('query CountryOverview');
    expect(config.personas!.map((p) => p.id)).toEqual(PERSONAS.map((p) => p.id));
    expect(config.tokenEndpoint).toBe('/dev/token');
    expect(config.introspection).toBe('all');
  });

  it("serves GraphiQL's explorer plugin (click-to-build) from its own UMD bundle, after GraphiQL, and the page's own panels", async () => {
    const html = await (await fetch(`${api.url}/graphiql`)).text();
    const scripts = [...html.matchAll(/<script defer src="\/graphiql\/assets\/([a-z-]+)\.[0-9a-f]{12}\.js"><\/script>/g)].map((m) => m[1]!);
    expect(scripts).toEqual(['react', 'react-dom', 'graphiql', 'graphql-ws', 'graphiql-plugin-explorer', 'explorer-query', 'explorer-panels', 'explorer-fetcher', 'explorer']);
    const plugin = /src="(\/graphiql\/assets\/graphiql-plugin-explorer\.[^"]+\.js)"/.exec(html)![1]!;
    const body = await (await fetch(`${api.url}${plugin}`)).text();
    // The UMD bundle runs on GraphiQL's own React context and graphql-js (the page's globals).
    expect(body).toContain('GraphiQLPluginExplorer');
    expect(body).toContain('e.GraphiQL.React,e.GraphiQL.GraphQL');
    expect(body).not.toMatch(/sourceMappingURL/);
    expect(html).toMatch(/href="\/graphiql\/assets\/graphiql-plugin-explorer\.[0-9a-f]{12}\.css"/);
    // The bar's place for why the schema did not load, hidden until it fails.
    expect(html).toContain('<p class="ctewn-schema-hint" id="schema-hint" role="alert" hidden></p>');
  });

  it('POST /dev/token signs a token the API accepts, for the organization and roles asked', async () => {
    const response = await postToken(api.url, { org: 'kaz-ct', roles: ['contributor', 'org-admin'], sub: 'sample:kaz-ct:analyst-1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const { token, expiresIn } = (await response.json()) as { token: string; expiresIn: number };
    expect(expiresIn).toBe(8 * 3600);
    const { data, errors } = await gql(api.url, '{ viewer { authenticated sub organizationId organizationKind roles } }', {}, { authorization: `Bearer ${token}` });
    expect(errors).toBeUndefined();
    expect(data!.viewer).toEqual({
      authenticated: true,
      sub: 'sample:kaz-ct:analyst-1',
      organizationId: 'kaz-ct',
      organizationKind: 'MEMBER_STATE_AGENCY',
      roles: ['contributor', 'org-admin'],
    });
  });

  it('POST /dev/token refuses unknown roles, malformed organizations and anything but JSON', async () => {
    const refused = async (body: unknown, contentType?: string) => {
      const response = await postToken(api.url, body, contentType);
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: string }).error;
    };
    expect(await refused({ org: 'unodc', roles: ['superuser'] })).toMatch(/unknown role\(s\): superuser/);
    expect(await refused({ org: 'unodc', roles: [] })).toMatch(/roles/);
    expect(await refused({ org: 'UNODC; drop', roles: ['analyst'] })).toMatch(/org/);
    expect(await refused({ org: 'unodc', roles: ['analyst'], sub: 'a b' })).toMatch(/sub/);
    expect(await refused('org=unodc&roles=analyst', 'application/x-www-form-urlencoded')).toMatch(/JSON/);
    expect(await refused('{"org":', 'application/json')).toMatch(/JSON/);
    expect((await fetch(`${api.url}/dev/token`)).status).toBe(404);
  });
});

describe('the explorer in production (identity provider configured)', () => {
  let api: TestApp;
  beforeAll(async () => {
    const idp = await createIdentityProvider();
    api = await startTestApp({ NODE_ENV: 'production', SEED_SAMPLE_DATA: 'false', ...idp.env });
  });
  afterAll(() => api?.stop());

  it('has no development token endpoint', async () => {
    expect((await postToken(api.url, { org: 'unodc', roles: ['analyst'] })).status).toBe(404);
  });

  it('still serves the page, with the examples and without the persona picker', async () => {
    const response = await fetch(`${api.url}/graphiql`);
    expect(response.status).toBe(200);
    const config = pageConfig(await response.text());
    expect(config.personas).toBeNull();
    expect(config.tokenEndpoint).toBeNull();
    expect(config.examples.length).toBeGreaterThan(0);
    // Introspection is for members: the page says so, and how to paste a token, when the schema fails to load.
    expect(config.introspection).toBe('members');
  });
});

/**
 * GraphiQL's documentation explorer shows the schema's descriptions: every type, field, argument, input
 * field and enum value must have one. Skipped: introspection types, the federation machinery (`_Any`,
 * `_Service`, `_entities`, `link__*`, `federation__*`), GraphQL's built-in scalars, and the root
 * operation types' own description (type-graphql cannot set one; their fields are checked).
 */
function undescribed(schema: GraphQLSchema): string[] {
  const internal = (name: string) => name.startsWith('_') || name.startsWith('link__') || name.startsWith('federation__');
  const blank = (text: string | null | undefined) => !text || !text.trim();
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean).map((t) => t!.name));
  const missing: string[] = [];
  const types = Object.values(schema.getTypeMap()).filter((t: GraphQLNamedType) => !internal(t.name) && !isSpecifiedScalarType(t));
  for (const type of types) {
    if (!roots.has(type.name) && blank(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields()).filter((f) => !internal(f.name))) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (blank(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing.sort();
}

describe('the documentation explorer', () => {
  it('finds a description on every type, field, argument and enum value of the schema', async () => {
    expect(undescribed(await buildBareSchema())).toEqual([]);
  });
});
