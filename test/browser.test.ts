import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app.js';

/**
 * The explorer as an analyst uses it, in a real headless Chromium: Debian's /usr/bin/chromium, never a
 * browser download (.ci/run installs it with apt-get). Without it this file is skipped, saying why.
 */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = resolve('.ci/artifacts/graphiql.png');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser.test.ts skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

type Response = { data?: Record<string, any> | null; errors?: { path?: (string | number)[]; extensions?: { code?: string } }[] };

describe.skipIf(!haveChromium)(`GraphiQL in headless Chromium (${CHROMIUM})`, () => {
  let api: TestApp;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // Development mode (no AUTH_*): the persona picker and /dev/token exist.
    [api, browser] = await Promise.all([
      startTestApp(),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
      }),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  /** The text of one of GraphiQL's CodeMirror editors (this project's TypeScript has no DOM types). */
  const editorText = (pane: 'query' | 'response') =>
    page.evaluate(
      (selector) => ((globalThis as any).document.querySelector(selector)?.CodeMirror?.getValue() as string | undefined) ?? '',
      pane === 'query' ? '.graphiql-query-editor .CodeMirror' : '.graphiql-response .CodeMirror',
    );
  const identityShows = (text: string) => expect.poll(() => page.locator('#identity').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`^${text.replace(/[()]/g, '\\$&')}`));

  async function usePersona(id: string, shownAs: string) {
    await page.selectOption('#persona', id);
    await identityShows(shownAs);
  }

  /** Opens an example from the bar, runs it with GraphiQL's run button and reads the result pane. */
  async function run(example: string, operationName: string): Promise<Response> {
    await page.selectOption('#examples', example);
    await expect.poll(() => editorText('query')).toContain(`query ${operationName}`);
    // GraphiQL takes the operation name from the editor 100 ms after a change (debounced), as a person would.
    await page.waitForTimeout(300);
    const before = await editorText('response');
    await page.click('.graphiql-execute-button');
    await expect.poll(async () => {
      const text = await editorText('response');
      return text !== before && text.trim().startsWith('{');
    }, { timeout: 15_000 }).toBe(true);
    return JSON.parse(await editorText('response')) as Response;
  }

  it('an analyst picks a persona, runs an example, reads the answer; a regional body sees null + FORBIDDEN; nothing leaves the server', async () => {
    await page.goto(`${api.url}/graphiql`);
    await page.waitForSelector('.graphiql-container');
    await identityShows('anonymous');
    // A pasted token that is not valid is refused by the API, and the bar says so.
    await page.fill('#token', 'not-a-token');
    await page.click('#token-apply');
    await identityShows('token refused (UNAUTHENTICATED)');

    await usePersona('unodc-analyst', 'unodc (UN_ENTITY)');
    const overview = await run('01-country-overview', 'CountryOverview');
    expect(overview.errors).toBeUndefined();
    expect(overview.data!.country.iso3).toBe('TJK');
    expect(overview.data!.country.latestValues.length).toBeGreaterThan(5);

    // The same restricted field, two organizations: UN entities read it, a regional body gets null + FORBIDDEN.
    const asUn = await run('07-restricted-fields', 'RestrictedFields');
    expect(asUn.errors).toBeUndefined();
    await usePersona('sco-rats-analyst', 'sco-rats (REGIONAL_ORGANIZATION)');
    const asRegional = await run('07-restricted-fields', 'RestrictedFields');
    const reports = asRegional.data!.reports.edges.map((e: { node: { sourceDescription: string | null } }) => e.node);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.some((r: { sourceDescription: string | null }) => r.sourceDescription === null)).toBe(true);
    expect(asRegional.errors!.length).toBeGreaterThan(0);
    expect(asRegional.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'sourceDescription')).toBe(true);
    expect(await page.locator('.graphiql-response').innerText()).toContain('FORBIDDEN');

    mkdirSync(resolve('.ci/artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);

    // Everything came from this server, and the page broke no rule of its Content-Security-Policy.
    const origin = new URL(api.url).origin;
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);

    // The token, the tabs and the history stay in this tab (sessionStorage); nothing goes to localStorage.
    const stored = await page.evaluate(() => {
      const { sessionStorage, localStorage } = globalThis as any;
      return {
        token: sessionStorage.getItem('ctewn:token') as string | null,
        tabs: sessionStorage.getItem('ctewn-graphiql:graphiql:tabState') as string | null,
        local: Object.keys(localStorage) as string[],
      };
    });
    expect(stored.token).toMatch(/^eyJ/);
    expect(stored.tabs).toContain('RestrictedFields');
    expect(stored.local).toEqual([]);
  }, 90_000);

  it("the documentation explorer shows the schema's descriptions (GraphiQL introspects the schema)", async () => {
    const docs = await browser.newPage();
    const errors: string[] = [];
    try {
      docs.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await docs.goto(`${api.url}/graphiql`);
      await docs.click('[aria-label="Show Documentation Explorer"]');
      await docs.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")', { timeout: 10_000 });
      await expect.poll(() => docs.locator('.graphiql-doc-explorer').innerText()).toContain('Early-warning alerts you may see');
      // A Radix dialog (it adds a <style> of its own while open) under the page's style-src.
      await docs.click('[aria-label="Open settings dialog"]');
      await docs.waitForSelector('[role="dialog"]');
      await docs.keyboard.press('Escape');
      expect(errors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
    } finally {
      await docs.close();
    }
  }, 60_000);
});
