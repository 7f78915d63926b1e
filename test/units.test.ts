import { describe, expect, it } from 'vitest';
import { langFromAcceptLanguage } from '../src/auth/context.js';
import { decodeCursor, encodeCursor } from '../src/schema/common/cursor.js';
import { Lang, AlertLevel } from '../src/schema/common/enums.js';
import { formatPeriod, parsePeriod } from '../src/schema/common/period.js';
import { levelOf } from '../src/schema/indicator/level.js';
import { loadConfig } from '../src/config.js';
import { VerifiedTokens } from '../src/auth/jwt.js';

describe('periods', () => {
  it('parses months, quarters and years to their first day and the day after', () => {
    expect(parsePeriod('2024-03')).toEqual({ periodicity: 'MONTHLY', start: '2024-03-01', end: '2024-04-01' });
    expect(parsePeriod('2024-12')).toMatchObject({ start: '2024-12-01', end: '2025-01-01' });
    expect(parsePeriod('2024-Q4')).toEqual({ periodicity: 'QUARTERLY', start: '2024-10-01', end: '2025-01-01' });
    expect(parsePeriod('2024')).toEqual({ periodicity: 'ANNUAL', start: '2024-01-01', end: '2025-01-01' });
  });

  it('refuses anything else with a readable message', () => {
    for (const bad of ['2024-13', '2024-Q5', '24-01', '2024-1', 'March 2024', '']) {
      expect(() => parsePeriod(bad)).toThrow(/not a period/);
    }
  });

  it('formats a period start in the indicator notation', () => {
    expect(formatPeriod('2024-08-01', 'MONTHLY')).toBe('2024-08');
    expect(formatPeriod('2024-07-01', 'QUARTERLY')).toBe('2024-Q3');
    expect(formatPeriod('2024-01-01', 'ANNUAL')).toBe('2024');
  });
});

describe('cursors', () => {
  it('round-trip and are bound to their list ordering', () => {
    const cursor = encodeCursor('PUBLISHED_DESC', ['2024-01-01T00:00:00.000Z', 'abc']);
    expect(decodeCursor('PUBLISHED_DESC', cursor, ['string', 'string'])).toEqual(['2024-01-01T00:00:00.000Z', 'abc']);
    expect(() => decodeCursor('UPDATED_DESC', cursor, ['string', 'string'])).toThrow(/cursor is not valid/);
  });

  it('reject garbage, wrong shapes and oversized input as BAD_USER_INPUT', () => {
    for (const bad of ['%%%', 'bm90IGpzb24', encodeCursor('x', [1]), 'A'.repeat(600)]) {
      try {
        decodeCursor('x', bad, ['string']);
        expect.unreachable();
      } catch (error) {
        expect((error as { extensions: { code: string } }).extensions.code).toBe('BAD_USER_INPUT');
      }
    }
  });
});

describe('threshold levels', () => {
  const higher = { worseDirection: 'HIGHER' as const, thresholdWatch: 10, thresholdWarning: 20, thresholdCritical: 30 };
  const lower = { worseDirection: 'LOWER' as const, thresholdWatch: 50, thresholdWarning: 40, thresholdCritical: 30 };
  it('reads thresholds in the worse direction', () => {
    expect([5, 10, 25, 30].map((v) => levelOf(v, higher))).toEqual([AlertLevel.NONE, AlertLevel.WATCH, AlertLevel.WARNING, AlertLevel.CRITICAL]);
    expect([60, 50, 35, 10].map((v) => levelOf(v, lower))).toEqual([AlertLevel.NONE, AlertLevel.WATCH, AlertLevel.WARNING, AlertLevel.CRITICAL]);
  });
});

describe('Accept-Language', () => {
  it('picks the preferred of English and Russian, English by default', () => {
    expect(langFromAcceptLanguage(undefined)).toBe(Lang.EN);
    expect(langFromAcceptLanguage('ru-RU,ru;q=0.9,en;q=0.8')).toBe(Lang.RU);
    expect(langFromAcceptLanguage('en;q=0.5, ru;q=0.7')).toBe(Lang.RU);
    expect(langFromAcceptLanguage('kk-KZ, ru;q=0.4, en;q=0.6')).toBe(Lang.EN);
    expect(langFromAcceptLanguage('de-DE')).toBe(Lang.EN);
  });
});

describe('configuration', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 4000, DATA_DIR: './data', NODE_ENV: 'development' });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('refuses production without a real identity provider, and half an identity provider anywhere', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/AUTH_\*: production needs a real identity provider/);
    expect(() => loadConfig({ AUTH_JWKS_FILE: '/x.json' })).toThrow(/AUTH_ISSUER: required[\s\S]*AUTH_AUDIENCE: required/);
    expect(() => loadConfig({ AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' })).toThrow(/AUTH_JWKS_URL or AUTH_JWKS_FILE/);
    expect(() => loadConfig({ AUTH_ALGORITHMS: 'none' })).toThrow(/AUTH_ALGORITHMS/);
    expect(() => loadConfig({ AUTH_CLOCK_TOLERANCE_S: '300' })).toThrow(/AUTH_CLOCK_TOLERANCE_S/);
    const prod = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a' });
    expect(prod.AUTH_ALGORITHMS).toEqual(['ES256', 'RS256']);
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(
      /PORT[\s\S]*DATABASE_URL: must be a postgres:\/\/[\s\S]*LOG_LEVEL/,
    );
  });
});

describe('verified tokens kept by the process', () => {
  const claims = { sub: 's', org: 'unodc', roles: [] };

  it('serves a token until it expires, and never past it', () => {
    const cache = new VerifiedTokens();
    cache.set('t', claims, 10_000, 0);
    expect(cache.get('t', 9_999)).toEqual(claims);
    expect(cache.get('t', 10_000)).toBeUndefined();
    expect(cache.get('t', 9_999)).toBeUndefined(); // the expired entry is gone, not revived
  });

  it('keeps a long-lived token at most VERIFIED_FOR_MS, so a withdrawn key stops working within it', () => {
    const cache = new VerifiedTokens();
    cache.set('t', claims, 10 * 3_600_000, 0);
    expect(cache.get('t', VerifiedTokens.VERIFIED_FOR_MS - 1)).toEqual(claims);
    expect(cache.get('t', VerifiedTokens.VERIFIED_FOR_MS)).toBeUndefined();
  });

  it('holds at most MAX_ENTRIES, dropping the oldest', () => {
    const cache = new VerifiedTokens();
    for (let i = 0; i <= VerifiedTokens.MAX_ENTRIES; i += 1) cache.set(`t${i}`, claims, 1_000, 0);
    expect(cache.get('t0', 1)).toBeUndefined();
    expect(cache.get('t1', 1)).toEqual(claims);
    expect(cache.get(`t${VerifiedTokens.MAX_ENTRIES}`, 1)).toEqual(claims);
  });
});
