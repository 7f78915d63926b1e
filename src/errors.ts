import { GraphQLError } from 'graphql';

/** The one catalogue of error codes a client may see in `extensions.code` (docs/errors lists them). */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  /** A request the transport does not serve (e.g. a query or mutation over WebSocket). */
  BAD_REQUEST: 'BAD_REQUEST',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  CONFLICT: 'CONFLICT',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error meant for the client: its message and code pass through formatError unchanged. */
export class ApiError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export const badInput = (message: string, field?: string) =>
  new ApiError(ErrorCode.BAD_USER_INPUT, message, field ? { field } : {});

export const notFound = (what: string) => new ApiError(ErrorCode.NOT_FOUND, `${what} not found`);

/**
 * A write to a read-only copy of another instance's record (issue 17): the origin owns it, a peer only
 * holds the copy. FORBIDDEN, with `readOnlyCopy` and `originInstance` in the extensions.
 */
export const readOnlyCopy = (what: 'Report' | 'Observation', originInstance: string) =>
  new ApiError(ErrorCode.FORBIDDEN, `This ${what.toLowerCase()} is a read-only copy of a record of the instance "${originInstance}": only its origin changes it`, {
    readOnlyCopy: true,
    originInstance,
  });
