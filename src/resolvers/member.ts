import type { Context } from '../auth/context.js';
import type { MemberViewer } from '../auth/viewer.js';
import { ApiError, ErrorCode } from '../errors.js';

/** Writes need a signed-in member; the field policy has already refused anonymous callers. */
export function requireMember(ctx: Context): MemberViewer {
  if (ctx.viewer.kind !== 'member') throw new ApiError(ErrorCode.UNAUTHENTICATED, 'Sign in to write');
  return ctx.viewer;
}
