import pg from 'pg';
import { pino } from 'pino';
import { startApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

export interface TestApp {
  app: App;
  url: string;
  stop(): Promise<void>;
}

let copies = 0;

/** One statement on the server's `postgres` database (CREATE/DROP DATABASE), by default TEST_DATABASE_URL's server. */
export async function admin(statement: string, url: URL | string = process.env.TEST_DATABASE_URL!): Promise<void> {
  const server = new URL(url);
  server.pathname = '/postgres';
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A database of this test file's own on PostgreSQL: a copy of the seeded template database named by
 * TEST_DATABASE_URL (CREATE DATABASE … TEMPLATE copies files, in well under a second), so files that
 * write cannot disturb the files that read.
 */
export async function copyOfTemplate(): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${template.pathname.slice(1)}_f${process.pid}_${(copies += 1)}`;
  await admin(`create database "${name}" template "${template.pathname.slice(1)}"`, template);
  const url = new URL(template);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists "${name}" with (force)`, template) };
}

/**
 * Starts the real server on an ephemeral port: on a fresh in-memory PGlite with sample data, or on a
 * fresh copy of the PostgreSQL template named by TEST_DATABASE_URL (seeded once by test/support/pg-setup.ts).
 */
export async function startTestApp(env: Record<string, string> = {}, options: { logStream?: NodeJS.WritableStream } = {}): Promise<TestApp> {
  // A test may name its own database (DATABASE_URL) or force the embedded one (DATABASE_URL: '').
  const usePostgres = Boolean(process.env.TEST_DATABASE_URL) && env.DATABASE_URL === undefined;
  const database = usePostgres ? await copyOfTemplate() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: 'memory://',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  const logger = options.logStream ? pino({ level: config.LOG_LEVEL }, options.logStream) : createLogger(config.LOG_LEVEL);
  const app = await startApp(config, logger);
  return {
    app,
    url: `http://127.0.0.1:${app.server.port}`,
    stop: async () => {
      await app.stop();
      await database?.drop();
    },
  };
}

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** POSTs an operation the way a client does. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  return { status: response.status, headers: response.headers, ...body };
}

export function statementsOf(response: GraphQLResponse): number {
  return Number(response.headers.get('x-sql-statements'));
}
