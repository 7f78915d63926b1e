import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { findProjectFolder } from './locate.js';

/** One file the page loads, kept in memory under a content-hashed URL (so it may be cached for a year). */
export interface Asset {
  url: string;
  type: string;
  body: Buffer;
  gzipped?: Buffer;
}

/** The URLs the page references, in load order. */
export interface PageAssets {
  styles: string[];
  scripts: string[];
}

export interface AssetTable {
  page: PageAssets;
  /** Every served asset by URL (the page's files and the fonts the stylesheet names). */
  byUrl: ReadonlyMap<string, Asset>;
}

export const ASSET_PREFIX = '/graphiql/assets/';
const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

const require = createRequire(import.meta.url);
/** A file of an installed package: only the handful of files listed below are ever read. */
const packageFile = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);

function asset(name: string, ext: string, type: string, body: Buffer): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { url: `${ASSET_PREFIX}${name}.${hash}.${ext}`, type, body };
}

/** Source maps are not shipped; without the comment a browser's devtools ask for no missing file. */
const withoutSourceMap = (text: string) => text.replace(/\n?\/[/*][#@] sourceMappingURL=[^\n]*\s*$/, '\n');

/**
 * GraphiQL's stylesheet embeds its fonts as data: URLs. They are cut out into files of their own, so the
 * page's policy can say `font-src 'self'` and still show them.
 */
function splitFonts(css: string): { css: string; fonts: Asset[] } {
  const fonts: Asset[] = [];
  const rewritten = css.replace(/url\((['"]?)data:font\/(woff2|woff|ttf|otf);base64,([A-Za-z0-9+/=]+)\1\)/g, (_match, _quote, format: string, data: string) => {
    const font = asset('font', format, `font/${format}`, Buffer.from(data, 'base64'));
    fonts.push(font);
    return `url(${font.url})`;
  });
  return { css: rewritten, fonts };
}

/**
 * Reads, once at start-up, the files of the page: React 18, GraphiQL 4 and its explorer plugin's ready
 * UMD bundles, the graphql-ws client bundle, and the page's own scripts and stylesheet
 * (src/http/graphiql/public/). The plugin's bundle runs on GraphiQL's globals (GraphiQL.React,
 * GraphiQL.GraphQL), so it shares GraphiQL's React context and graphql-js: it loads after it.
 */
export function loadAssets(): AssetTable {
  const read = (file: string) => readFileSync(file, 'utf8');
  const own = findProjectFolder('src/http/graphiql/public', 'explorer.js');
  const graphiqlCss = splitFonts(withoutSourceMap(read(packageFile('graphiql', 'graphiql.min.css'))));
  const styles = [
    asset('graphiql', 'css', CSS, Buffer.from(graphiqlCss.css)),
    asset('graphiql-plugin-explorer', 'css', CSS, Buffer.from(withoutSourceMap(read(packageFile('@graphiql/plugin-explorer', 'dist/style.css'))))),
    asset('explorer', 'css', CSS, Buffer.from(read(join(own, 'explorer.css')))),
  ];
  const scripts = [
    asset('react', 'js', JS, Buffer.from(withoutSourceMap(read(packageFile('react', 'umd/react.production.min.js'))))),
    asset('react-dom', 'js', JS, Buffer.from(withoutSourceMap(read(packageFile('react-dom', 'umd/react-dom.production.min.js'))))),
    asset('graphiql', 'js', JS, Buffer.from(withoutSourceMap(read(packageFile('graphiql', 'graphiql.min.js'))))),
    asset('graphql-ws', 'js', JS, Buffer.from(withoutSourceMap(read(packageFile('graphql-ws', 'umd/graphql-ws.min.js'))))),
    asset('graphiql-plugin-explorer', 'js', JS, Buffer.from(withoutSourceMap(read(packageFile('@graphiql/plugin-explorer', 'dist/index.umd.js'))))),
    asset('explorer-query', 'js', JS, Buffer.from(read(join(own, 'explorer-query.js')))),
    asset('explorer-panels', 'js', JS, Buffer.from(read(join(own, 'explorer-panels.js')))),
    asset('explorer-fetcher', 'js', JS, Buffer.from(read(join(own, 'explorer-fetcher.js')))),
    asset('explorer', 'js', JS, Buffer.from(read(join(own, 'explorer.js')))),
  ];
  const all = [...styles, ...scripts, ...graphiqlCss.fonts];
  return {
    page: { styles: styles.map((a) => a.url), scripts: scripts.map((a) => a.url) },
    byUrl: new Map(all.map((a) => [a.url, a])),
  };
}

/** Serves an asset of the table with a year-long immutable cache (its URL changes with its content). */
export function sendAsset(table: AssetTable, req: Request, res: Response): boolean {
  const found = table.byUrl.get(req.path);
  if (!found) return false;
  res.set({
    'cache-control': 'public, max-age=31536000, immutable',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    vary: 'Accept-Encoding',
    'content-type': found.type,
  });
  const compressible = found.type === JS || found.type === CSS;
  if (compressible && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
    found.gzipped ??= gzipSync(found.body);
    res.set('content-encoding', 'gzip').send(found.gzipped);
  } else {
    res.send(found.body);
  }
  return true;
}
