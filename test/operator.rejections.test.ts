import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider } from './support/tokens.js';
import { connect, rawSocket } from './support/ws.js';

/**
 * The operator's view of refused requests: each one (a bad token's 401, a limit, a validation failure,
 * a refused export) is one log line with its extensions.code and the operation it names, and is counted
 * in ctewn_rejections_total{endpoint, operation, code}. Before, a 401 left no line and no count, a
 * refusal's line had no code, and `query Broken` was logged as "anonymous".
 */
let api: TestApp;
const lines: Record<string, any>[] = [];
beforeAll(async () => {
  const idp = await createIdentityProvider();
  const stream = new PassThrough();
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const part of parts) if (part) lines.push(JSON.parse(part));
  });
  api = await startTestApp({ ...idp.env, SEED_SAMPLE_DATA: 'false', LOG_LEVEL: 'info', MAX_DEPTH: '3' }, { logStream: stream });
});
afterAll(async () => {
  await api?.stop();
});

const BAD_TOKEN = { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' };

async function rejections(): Promise<Record<string, number>> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  // Keyed by the labels in name order, e.g. code="UNAUTHENTICATED",endpoint="graphql",operation="WhoAmI".
  for (const match of text.matchAll(/^ctewn_rejections_total\{([^}]*)\} (\S+)$/gm)) counts[match[1]!.split(',').sort().join(',')] = Number(match[2]);
  return counts;
}

/** The log line of the request whose x-request-id is `id`. */
async function lineOf(id: string, message: string) {
  for (let i = 0; i < 50; i++) {
    const line = lines.find((l) => l.requestId === id && l.msg === message);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${message}" line for request ${id}`);
}

describe('every refused request is logged and counted with its code and operation name', () => {
  it('a bad token (401 UNAUTHENTICATED), refused before the GraphQL pipeline starts', async () => {
    const response = await gql(api.url, 'query WhoAmI { viewer { authenticated } }', {}, { ...BAD_TOKEN, 'x-request-id': 'bad-token-1' });
    expect(response.status).toBe(401);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await lineOf('bad-token-1', 'graphql request')).toMatchObject({ operation: 'WhoAmI', outcome: 'rejected', codes: ['UNAUTHENTICATED'] });
    expect((await rejections())['code="UNAUTHENTICATED",endpoint="graphql",operation="WhoAmI"']).toBe(1);
  });

  it('a validation failure of `query Broken` is logged as Broken (its metrics label is "other": not a known name)', async () => {
    const response = await gql(api.url, 'query Broken { noSuchField }', {}, { 'x-request-id': 'broken-1' });
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await lineOf('broken-1', 'graphql request')).toMatchObject({ operation: 'Broken', outcome: 'rejected', codes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect((await rejections())['code="GRAPHQL_VALIDATION_FAILED",endpoint="graphql",operation="other"']).toBe(1);
  });

  it('a limit refusal carries the code the client got', async () => {
    const response = await gql(api.url, 'query WhoAmI { viewer { organization { parents { parents { id } } } } }', {}, { 'x-request-id': 'deep-1' });
    const codes = [...new Set(response.errors!.map((e) => e.extensions!.code))];
    expect(codes.length).toBeGreaterThan(0);
    expect(await lineOf('deep-1', 'graphql request')).toMatchObject({ operation: 'WhoAmI', outcome: 'rejected', codes });
    expect((await rejections())[`code="${codes[0]}",endpoint="graphql",operation="WhoAmI"`]).toBeGreaterThanOrEqual(1);
  });

  it('an export with a bad token (401)', async () => {
    const response = await fetch(`${api.url}/export/reports.csv`, { headers: { ...BAD_TOKEN, 'x-request-id': 'export-1' } });
    expect(response.status).toBe(401);
    expect(await lineOf('export-1', 'export request')).toMatchObject({ export: 'reports', outcome: 'rejected', codes: ['UNAUTHENTICATED'] });
    expect((await rejections())['code="UNAUTHENTICATED",endpoint="export",operation="reports"']).toBe(1);
  });

  it('a WebSocket connection with a bad token (closed 4401) and a refused subscription', async () => {
    const socket = rawSocket(api.url, {}, BAD_TOKEN);
    expect(await socket.acknowledged).toMatchObject({ ack: false, code: 4401 });
    expect(lines.find((l) => l.msg === 'websocket connection refused')).toMatchObject({ outcome: 'rejected', codes: ['UNAUTHENTICATED'], close: 4401 });
    expect((await rejections())['code="UNAUTHENTICATED",endpoint="websocket",operation="anonymous"']).toBe(1);

    const anonymous = await connect(api.url);
    try {
      const reply = await anonymous.send({ query: 'query WhoAmI { viewer { authenticated } }', operationName: 'WhoAmI' });
      expect(reply.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
    } finally {
      await anonymous.close();
    }
    expect(lines.find((l) => l.msg === 'subscription operation refused')).toMatchObject({ outcome: 'rejected', operation: 'WhoAmI', codes: ['BAD_REQUEST'] });
    expect((await rejections())['code="BAD_REQUEST",endpoint="websocket",operation="WhoAmI"']).toBe(1);
  });
});
