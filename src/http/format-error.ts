import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';

/** Codes a client may see as they are; anything else is an unexpected error and is masked. */
const PASS_THROUGH = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.CONFLICT,
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.QUERY_TOO_COMPLEX,
  ErrorCode.RATE_LIMITED,
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** graphql-js's "Did you mean …?" suffix, which names schema members to whoever probes. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** A literal of the wrong form for a scalar or enum (an invalid date in the document) is bad input, not a schema mistake. */
const BAD_LITERAL = /^(Expected value of type|Enum ".*" cannot represent|.* cannot represent)/;

// Socket errors; SQLSTATE 57P0x (admin shutdown as in a restart, crash shutdown, starting up, idle-session
// timeout), 25P03 (idle-in-transaction timeout), class 08 (connection exceptions), 53300 (too many
// connections), 57014 (statement timeout): the database is away or too slow, not the request wrong.
const DATABASE_DOWN_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '57P05', '25P03', '08000', '08001', '08003', '08004', '08006', '53300', '57014']);
const DATABASE_DOWN_MESSAGES = /timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|canceling statement due to statement timeout/i;

/** What a 503 asks the client to wait, in seconds: a restart or a lost connection is over in about that. */
const RETRY_AFTER_S = '1';

/** True when the error (or one it wraps) says the database is unreachable, restarting or too slow. */
export function databaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown; originalError?: unknown }).cause ?? (e as { originalError?: unknown }).originalError, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && DATABASE_DOWN_CODES.has(code)) return true;
    if (e instanceof Error && DATABASE_DOWN_MESSAGES.test(e.message)) return true;
  }
  return false;
}

/**
 * Apollo's formatError: intended errors pass through; anything else (a bug, a database error) is
 * logged with an id and replaced by a generic message carrying that id, so no stack trace, SQL or
 * host name reaches a client.
 */
export function createFormatError(logger: Logger, options: { hideSuggestions?: boolean } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? '');
    if (PASS_THROUGH.has(code)) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      const adjusted = code === ErrorCode.GRAPHQL_VALIDATION_FAILED && BAD_LITERAL.test(formatted.message) ? ErrorCode.BAD_USER_INPUT : code;
      // Apollo hides suggestions in validation errors only; variable and enum coercion errors carry them too.
      const message = options.hideSuggestions ? formatted.message.replace(SUGGESTION, '') : formatted.message;
      return { ...formatted, message, extensions: { ...extensions, code: adjusted } };
    }
    const errorId = randomUUID();
    if (databaseUnavailable(error)) {
      logger.warn({ errorId, err: unwrapResolverError(error), path: formatted.path }, 'database unavailable');
      return {
        message: `The database is unavailable; retry shortly (error id ${errorId})`,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, errorId },
      };
    }
    logger.error({ errorId, err: unwrapResolverError(error), path: formatted.path }, 'unexpected error');
    return {
      message: `Internal server error (error id ${errorId})`,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}

/**
 * HTTP 503 with `Retry-After` for an operation that failed as a whole because the database is away
 * (restart, lost connection, outage), as docs/ERRORS.md promises: clients, proxies and load balancers
 * retry a 503, not a 200 or a 500. A partial answer (some data) stays 200. A failure while building the
 * context (the viewer lookup) is marked here too, since Apollo answers those 500 unless told otherwise.
 */
export function serviceUnavailableStatus(): ApolloServerPlugin {
  return {
    async contextCreationDidFail({ error }) {
      if (databaseUnavailable(error)) (error as { extensions?: unknown }).extensions = { http: { status: 503, headers: new Map([['retry-after', RETRY_AFTER_S]]) } };
    },
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data == null && errors?.length && errors.every((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', RETRY_AFTER_S);
          }
        },
      };
    },
  };
}
