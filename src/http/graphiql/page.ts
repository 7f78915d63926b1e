import type { PageAssets } from './assets.js';
import type { ExampleOperation } from './examples.js';
import type { Persona } from './personas.js';

/** What the page's script reads from the page itself (a JSON data block: data, not script, for the CSP). */
export interface PageConfig {
  endpoint: string;
  /** Development only: the persona picker's choices; null hides the picker. */
  personas: Pick<Persona, 'id' | 'label' | 'org' | 'roles' | 'sub'>[] | null;
  /** Where the picker gets a token (development only). */
  tokenEndpoint: string | null;
  examples: ExampleOperation[];
  /** INTROSPECTION: what the page says when the schema does not load (members only: paste a token). */
  introspection: 'all' | 'members' | 'off';
}

const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * Nothing but this server: the page, its scripts, styles, fonts and the API. No inline script at all (the
 * configuration is a JSON data block, never executed). Inline styles are admitted because GraphiQL's
 * dialogs (Radix) add a <style> element while open, whose content varies (the scrollbar width), so no
 * hash can name it; a style cannot run code. 'self' covers same-origin WebSockets in current browsers; the
 * explicit ws:// and wss:// of the request's own host keep subscriptions working in older ones without
 * opening any other host.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sameHostSockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self'${sameHostSockets}`,
    "font-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** JSON that cannot end the data block or break the page (`</script>`, line separators). */
const embeddedJson = (value: unknown) =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

export function renderPage(assets: PageAssets, config: PageConfig): string {
  const styles = assets.styles.map((url) => `  <link rel="stylesheet" href="${escapeAttribute(url)}">`).join('\n');
  const scripts = assets.scripts.map((url) => `  <script defer src="${escapeAttribute(url)}"></script>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>CT-EWN Graph explorer</title>
  <link rel="icon" href="data:,">
${styles}
${scripts}
  <script type="application/json" id="ctewn-config">${embeddedJson(config)}</script>
</head>
<body>
  <header class="ctewn-bar" aria-label="Identity and examples">
    <span class="ctewn-brand">CT-EWN Graph <small>explorer</small></span>
    <label class="ctewn-field" id="persona-field" hidden>Persona (development)
      <select id="persona"></select>
    </label>
    <form class="ctewn-field" id="token-form" autocomplete="off">
      <label for="token">Bearer token</label>
      <input id="token" name="token" type="password" spellcheck="false" placeholder="paste a token (kept in this tab only)">
      <button type="submit" id="token-apply">Use token</button>
      <button type="button" id="token-clear">Sign out</button>
    </form>
    <span class="ctewn-identity" id="identity" role="status" aria-live="polite">anonymous</span>
    <label class="ctewn-field">Example
      <select id="examples"><option value="">Open an example…</option></select>
    </label>
    <span class="ctewn-hint" id="example-hint" role="note"></span>
    <p class="ctewn-schema-hint" id="schema-hint" role="alert" hidden></p>
  </header>
  <main id="graphiql"><p class="ctewn-loading">Loading the explorer…</p></main>
  <noscript>The explorer needs JavaScript. The API itself answers POST /graphql without it.</noscript>
</body>
</html>
`;
}
