import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/**
 * Development hands out network-admin and auditor tokens at /dev/token to anyone who asks, so a
 * development server must not be reachable from the network unless its operator says so with HOST.
 */
describe('the address a server listens on', () => {
  it('a development server without HOST listens on 127.0.0.1 only, and its start line says so', async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const config = loadConfig({ NODE_ENV: 'development', PORT: '0', DATA_DIR: 'memory://', SEED_SAMPLE_DATA: 'false', LOG_LEVEL: 'info' });
    const app = await startApp(config, pino({ level: 'info' }, stream));
    try {
      const address = app.server.httpServer.address() as AddressInfo;
      expect(address.address).toBe('127.0.0.1');
      const start = lines.find((l) => typeof l.msg === 'string' && l.msg.includes('listening'));
      expect(start).toMatchObject({ host: '127.0.0.1', port: address.port });
      expect(start!.msg).toBe(`CT-EWN Graph listening on http://127.0.0.1:${address.port} (this machine only; set HOST=0.0.0.0 to accept other machines)`);
    } finally {
      await app.stop();
    }
  });

  it('HOST is honoured in development; production listens on every interface unless HOST says otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'test' }).HOST).toBe('127.0.0.1');
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
    expect(loadConfig({ NODE_ENV: 'development', HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    const idp = { AUTH_JWKS_FILE: 'jwks.json', AUTH_ISSUER: 'https://idp.example', AUTH_AUDIENCE: 'ctewn' };
    expect(loadConfig({ NODE_ENV: 'production', ...idp }).HOST).toBe('0.0.0.0');
    expect(loadConfig({ NODE_ENV: 'production', ...idp, HOST: '10.0.0.5' }).HOST).toBe('10.0.0.5');
  });
});
