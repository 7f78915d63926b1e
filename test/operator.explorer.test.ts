import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explorerUrl } from '../src/app.js';
import { startTestApp, type TestApp } from './support/app.js';

/** A new user finds the explorer: its address is in the start line, and a browser opening `/` lands in it. */
let api: TestApp;
let log = '';
beforeAll(async () => {
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => (log += chunk.toString()));
  api = await startTestApp({ SEED_SAMPLE_DATA: 'false', LOG_LEVEL: 'info' }, { logStream: stream });
});
afterAll(async () => {
  await api?.stop();
});

// What Chromium and Firefox send for a typed address.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('the explorer for a new user', () => {
  it('the start line prints the explorer URL', () => {
    const started = log.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => line.explorer);
    expect(started?.explorer).toBe(`${api.url}/graphiql`);
    expect(started?.msg).toContain(`${api.url}/graphiql`);
  });

  it('a wildcard HOST is printed as localhost (an address a browser opens)', () => {
    expect(explorerUrl('0.0.0.0', 4000)).toBe('http://localhost:4000/graphiql');
    expect(explorerUrl('::', 4000)).toBe('http://localhost:4000/graphiql');
    expect(explorerUrl('::1', 4000)).toBe('http://[::1]:4000/graphiql');
  });

  it('GET / from a browser redirects to the explorer, whose page then loads', async () => {
    const response = await fetch(`${api.url}/`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphiql');
    const page = await fetch(`${api.url}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.url).toBe(`${api.url}/graphiql`);
  });

  it('GET / from an API client (JSON, or no Accept) stays the 404 of an unknown path', async () => {
    for (const accept of ['application/json', '*/*']) {
      const response = await fetch(`${api.url}/`, { headers: { accept }, redirect: 'manual' });
      expect(response.status, accept).toBe(404);
    }
  });
});
