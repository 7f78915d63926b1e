import { randomUUID } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
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
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** A literal of the wrong form for a scalar or enum (an invalid date in the document) is bad input, not a schema mistake. */
const BAD_LITERAL = /^(Expected value of type|Enum ".*" cannot represent|.* cannot represent)/;

/**
 * Apollo's formatError: intended errors pass through; anything else (a bug, a database error) is
 * logged with an id and replaced by a generic message carrying that id, so no stack trace, SQL or
 * host name reaches a client.
 */
export function createFormatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? '');
    if (PASS_THROUGH.has(code)) {
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      const adjusted = code === ErrorCode.GRAPHQL_VALIDATION_FAILED && BAD_LITERAL.test(formatted.message) ? ErrorCode.BAD_USER_INPUT : code;
      return { ...formatted, extensions: { ...extensions, code: adjusted } };
    }
    const errorId = randomUUID();
    logger.error({ errorId, err: unwrapResolverError(error), path: formatted.path }, 'unexpected error');
    return {
      message: `Internal server error (error id ${errorId})`,
      ...(formatted.path ? { path: formatted.path } : {}),
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}
