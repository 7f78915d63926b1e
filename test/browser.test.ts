import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from './support/app.js';
import { createIdentityProvider, headersFor, type TestIdentityProvider } from './support/tokens.js';

/**
 * The explorer as an analyst uses it, in a real headless Chromium: Debian's /usr/bin/chromium, never a
 * browser download (.ci/run installs it with apt-get). Without it this file is skipped, saying why.
 */
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = resolve('.ci/artifacts/graphiql.png');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`test/browser.test.ts skipped: ${CHROMIUM} not found (apt-get install -y chromium)`);

type Response = { data?: Record<string, any> | null; errors?: { message?: string; path?: (string | number)[]; extensions?: { code?: string } }[] };

/** The text of one of GraphiQL's CodeMirror editors (this project's TypeScript has no DOM types). */
const editorText = (page: Page, pane: 'query' | 'variables' | 'headers' | 'response') =>
  page.evaluate((which) => {
    const { document } = globalThis as any;
    const element =
      which === 'query'
        ? document.querySelector('.graphiql-query-editor .CodeMirror')
        : which === 'response'
          ? document.querySelector('.graphiql-response .CodeMirror')
          : document.querySelectorAll('.graphiql-editor-tool .CodeMirror')[which === 'variables' ? 0 : 1];
    return (element?.CodeMirror?.getValue() as string | undefined) ?? '';
  }, pane);

const setEditorText = (page: Page, pane: 'query' | 'headers', text: string) =>
  page.evaluate(
    ([which, value]) => {
      const { document } = globalThis as any;
      const element = which === 'query' ? document.querySelector('.graphiql-query-editor .CodeMirror') : document.querySelectorAll('.graphiql-editor-tool .CodeMirror')[1];
      element.CodeMirror.setValue(value);
    },
    [pane, text] as const,
  );

/** Presses GraphiQL's run button and reads the result pane once it changed to a JSON answer. */
async function pressRun(page: Page): Promise<Response> {
  // GraphiQL takes the operation name from the editor 100 ms after a change (debounced), as a person would.
  await page.waitForTimeout(300);
  const before = await editorText(page, 'response');
  await page.click('.graphiql-execute-button');
  await expect
    .poll(
      async () => {
        const text = await editorText(page, 'response');
        return text !== before && text.trim().startsWith('{');
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return JSON.parse(await editorText(page, 'response')) as Response;
}

/** Opens an example from the bar, runs it with GraphiQL's run button and reads the result pane. */
async function run(page: Page, example: string, operationName: string): Promise<Response> {
  await page.selectOption('#examples', example);
  await expect.poll(() => editorText(page, 'query')).toContain(`${operationName}`);
  return pressRun(page);
}

const identityShows = (page: Page, text: string) =>
  expect.poll(() => page.locator('#identity').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`^${text.replace(/[()]/g, '\\$&')}`));

async function usePersona(page: Page, id: string, shownAs: string) {
  await page.selectOption('#persona', id);
  await identityShows(page, shownAs);
}

describe.skipIf(!haveChromium)(`GraphiQL in headless Chromium (${CHROMIUM})`, () => {
  let api: TestApp;
  /** A production server: an identity provider, introspection for members only, no persona picker. */
  let production: TestApp;
  let idp: TestIdentityProvider;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  /** Everything the pages asked for came from the API servers, and no page broke its Content-Security-Policy. */
  function onlyFromServerUnderPolicy() {
    const origins = new Set([new URL(api.url).origin, new URL(production.url).origin]);
    expect(requested.length).toBeGreaterThan(5);
    expect(requested.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:') && !origins.has(new URL(url).origin))).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/i.test(text))).toEqual([]);
  }

  /** The shared page on the explorer (each test can run alone). */
  async function onExplorer(): Promise<Page> {
    if (!page.url().startsWith(`${api.url}/graphiql`)) {
      await page.goto(`${api.url}/graphiql`);
      await page.waitForSelector('.graphiql-container');
    }
    return page;
  }

  /** A fresh browser profile (its own storage), as an analyst's first visit. */
  async function freshPage(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
    const fresh = await context.newPage();
    fresh.on('request', (request) => requested.push(request.url()));
    fresh.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    fresh.on('pageerror', (error) => consoleErrors.push(error.message));
    await fresh.goto(url);
    await fresh.waitForSelector('.graphiql-container');
    return fresh;
  }

  beforeAll(async () => {
    idp = await createIdentityProvider();
    // Development mode (no AUTH_*): the persona picker and /dev/token exist.
    [api, production, browser] = await Promise.all([
      startTestApp(),
      startTestApp({ NODE_ENV: 'production', ...idp.env }),
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
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([api?.stop(), production?.stop()]);
  });

  it('on a first visit, Run on the first tab answers with data: its variables are filled in', async () => {
    const first = await freshPage(`${api.url}/graphiql`);
    try {
      await expect.poll(() => editorText(first, 'query')).toContain('query CountryOverview');
      expect(JSON.parse(await editorText(first, 'variables'))).toEqual({ iso3: 'TJK' });
      const result = await pressRun(first);
      expect(result.errors).toBeUndefined();
      expect(result.data!.overview.country.iso3).toBe('TJK');
    } finally {
      await first.context().close();
    }
  }, 60_000);

  it('an analyst picks a persona, runs an example, reads the answer; a regional body sees null + FORBIDDEN; nothing leaves the server', async () => {
    await page.goto(`${api.url}/graphiql`);
    await page.waitForSelector('.graphiql-container');
    await identityShows(page, 'anonymous');
    // A pasted token that is not valid is refused by the API, and the bar says so.
    await page.fill('#token', 'not-a-token');
    await page.click('#token-apply');
    await identityShows(page, 'token refused (UNAUTHENTICATED)');

    await usePersona(page, 'unodc-analyst', 'unodc (UN_ENTITY)');
    const overview = await run(page, '01-country-overview', 'query CountryOverview');
    expect(overview.errors).toBeUndefined();
    expect(overview.data!.overview.country.iso3).toBe('TJK');
    expect(overview.data!.overview.themes.flatMap((t: { indicators: { series: unknown[] }[] }) => t.indicators.flatMap((i) => i.series)).length).toBeGreaterThan(5);

    // The same restricted field, two organizations: UN entities read it, a regional body gets null + FORBIDDEN.
    const asUn = await run(page, '07-restricted-fields', 'query RestrictedFields');
    expect(asUn.errors).toBeUndefined();
    await usePersona(page, 'sco-rats-analyst', 'sco-rats (REGIONAL_ORGANIZATION)');
    const asRegional = await run(page, '07-restricted-fields', 'query RestrictedFields');
    const reports = asRegional.data!.reports.edges.map((e: { node: { sourceDescription: string | null } }) => e.node);
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.some((r: { sourceDescription: string | null }) => r.sourceDescription === null)).toBe(true);
    expect(asRegional.errors!.length).toBeGreaterThan(0);
    expect(asRegional.errors!.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'sourceDescription')).toBe(true);
    expect(await page.locator('.graphiql-response').innerText()).toContain('FORBIDDEN');

    // Beside the result: what `viewer { deniedFields conditionalFields }` says of the fields of this query,
    // and that the rows of `reports` are those the marking lets this organization see.
    const notes = page.locator('.ctewn-notes');
    await expect.poll(() => notes.locator('[data-note="conditional"]').innerText()).toContain('Report.sourceDescription');
    expect(await notes.locator('[data-note="marking"]').innerText()).toMatch(/reports.*marking/);

    mkdirSync(resolve('.ci/artifacts'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    onlyFromServerUnderPolicy();

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

  it('a list query offers its whole list as CSV through /export, with the same filters and the same policy', async () => {
    await onExplorer();
    await usePersona(page, 'sc-1267-analyst', 'sc-1267 (SANCTIONS_COMMITTEE)');
    const result = await run(page, '02-reports-on-a-topic-this-year', 'query ReportsOnTopic');
    expect(result.errors).toBeUndefined();
    const totalCount = result.data!.reports.totalCount as number;
    expect(totalCount).toBeGreaterThan(20);
    const button = page.locator('.ctewn-notes button.ctewn-export');
    await expect.poll(() => button.count()).toBe(1);
    expect(await button.getAttribute('data-url')).toBe('/export/reports.csv?topic=ONLINE_PROPAGANDA&publishedFrom=2026-01-01T00%3A00%3A00Z');
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^ct-ewn-reports-.*\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    // Every row the list pages through (not only the 20 of the page shown), no more: the same row rule.
    expect(lines[0]).toMatch(/^id,title,/);
    expect(lines.length - 1).toBe(totalCount);
  }, 60_000);

  it('a subscription shows its connection state and each event as it arrives', async () => {
    await onExplorer();
    await usePersona(page, 'unodc-analyst', 'unodc (UN_ENTITY)');
    await page.selectOption('#examples', '08-live-alerts');
    await expect.poll(() => editorText(page, 'query')).toContain('subscription LiveAlerts');
    await page.waitForTimeout(300);
    await page.click('.graphiql-execute-button');
    const live = page.locator('.ctewn-live');
    await expect.poll(() => live.getAttribute('data-state'), { timeout: 10_000 }).toBe('connected');
    expect(await live.innerText()).toMatch(/connected.*waiting for events/is);

    const { token } = (await (await fetch(`${api.url}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org: 'unodc', roles: ['contributor'], sub: 'sample:unodc:analyst-1' }) })).json()) as { token: string };
    const { data: indicators } = await gql(api.url, '{ indicators { code periodicity worseDirection thresholds { critical } } }');
    const indicator = (indicators!.indicators as { code: string; periodicity: string; worseDirection: string; thresholds: { critical: number } }[]).find((i) => i.periodicity === 'MONTHLY' && i.worseDirection === 'HIGHER')!;
    // A value over the critical threshold raises alerts (one per rule it crosses), delivered to this tab.
    const spike = async (period: string) => {
      const response = await gql(
        api.url,
        'mutation Spike($input: [ObservationInput!]!) { recordObservations(input: $input) { alerts { id level } } }',
        { input: [{ indicator: indicator.code, country: 'TJK', period, value: indicator.thresholds.critical + 5, tlp: 'GREEN', sourceReliability: 'B', informationCredibility: 2 }] },
        { authorization: `Bearer ${token}` },
      );
      expect(response.errors).toBeUndefined();
      // The example subscribes with minLevel WARNING: a WATCH alert the same value raises is not sent.
      const ids = (response.data!.recordObservations.alerts as { id: string; level: string }[]).filter((a) => a.level !== 'WATCH').map((a) => a.id);
      expect(ids.length, JSON.stringify(response.data)).toBeGreaterThan(0);
      return ids;
    };
    const now = new Date();
    const period = (monthsAgo: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1)).toISOString().slice(0, 7);
    const first = await spike(period(0));
    await expect.poll(() => live.locator('li').count(), { timeout: 10_000 }).toBe(first.length);
    for (const id of first) expect(await live.innerText()).toContain(id);
    const second = await spike(period(1));
    await expect.poll(() => live.locator('li').count(), { timeout: 10_000 }).toBe(first.length + second.length);
    for (const id of second) expect(await live.innerText()).toContain(id);
    expect(await live.innerText()).toMatch(new RegExp(`connected · ${first.length + second.length} events`));
    // GraphiQL's result pane shows the latest event only; the list keeps every one, newest first.
    expect(second).toContain(JSON.parse(await editorText(page, 'response')).data.alertRaised.id);

    await page.click('.graphiql-execute-button'); // stop
    await expect.poll(() => live.getAttribute('data-state')).toBe('stopped');
  }, 60_000);

  it('builds a query by clicking (the explorer plugin) and shows the SDL the viewer may introspect', async () => {
    await onExplorer();
    await page.click('[aria-label="New tab"]');
    await setEditorText(page, 'query', '');
    await page.click('[aria-label="Show GraphiQL Explorer"]');
    await page.click('.graphiql-explorer-root .graphiql-explorer-countries > span', { timeout: 10_000 });
    await page.click('.graphiql-explorer-root .graphiql-explorer-countries .graphiql-explorer-iso3 > span');
    await expect.poll(() => editorText(page, 'query')).toMatch(/countries\s*\{\s*iso3\s*\}/);
    const built = await pressRun(page);
    expect(built.errors).toBeUndefined();
    expect(built.data!.countries).toHaveLength(6);

    await page.click('[aria-label="Show Schema (SDL)"]');
    const sdl = page.locator('.ctewn-sdl pre');
    await expect.poll(() => sdl.innerText(), { timeout: 10_000 }).toContain('type Query {');
    expect(await sdl.innerText()).toContain('alertRaised(');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.ctewn-sdl button.ctewn-sdl-download')]);
    expect(download.suggestedFilename()).toBe('ct-ewn-graph.graphql');
  }, 60_000);

  it('in production without a token, the page says a token is needed and how to paste it; pasted in the headers pane, the schema loads', async () => {
    const prod = await freshPage(`${production.url}/graphiql`);
    try {
      const hint = prod.locator('#schema-hint');
      await expect.poll(() => hint.isVisible(), { timeout: 10_000 }).toBe(true);
      const text = await hint.innerText();
      expect(text).toMatch(/members only/);
      expect(text).toMatch(/Bearer token/);
      expect(text).toMatch(/Headers/);
      expect(text).toContain('{"Authorization": "Bearer ');

      const { authorization } = (await headersFor(idp, 'unodcAnalyst')) as { authorization: string };
      await prod.click('[data-name="headers"]');
      await setEditorText(prod, 'headers', JSON.stringify({ Authorization: authorization }));
      await prod.click('[aria-label="Re-fetch GraphQL schema"]');
      await expect.poll(() => hint.isVisible(), { timeout: 10_000 }).toBe(false);
      await prod.click('[aria-label="Show Documentation Explorer"]');
      await prod.click('.graphiql-doc-explorer a.graphiql-doc-explorer-type-name:text-is("Query")', { timeout: 10_000 });
      onlyFromServerUnderPolicy();
    } finally {
      await prod.context().close();
    }
  }, 60_000);

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
