import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { revokeGrant, shareRecord } from '../db/queries/grants.js';
import { UuidScalar } from '../schema/common/scalars.js';
import { ShareObservationInput, ShareReportInput } from '../schema/grant/grant.input.js';
import { toGrant } from '../schema/grant/grant.mapper.js';
import { Grant } from '../schema/grant/grant.type.js';
import { requireMember } from './member.js';

@Resolver(() => Grant)
export class GrantResolver {
  @Mutation(() => Grant, {
    description: "Share a report: TLP:AMBER/AMBER+STRICT with an organization, TLP:RED with a person. The originating organization's `org-admin` only.",
  })
  async shareReport(@Arg('input', () => ShareReportInput, { description: 'What to share, with whom, why and until when.' }) input: ShareReportInput, @Ctx() ctx: Context) {
    const { reportId, ...rest } = input;
    return toGrant(await shareRecord(ctx.db, requireMember(ctx), { subject: { kind: 'report', id: reportId }, ...rest }));
  }

  @Mutation(() => Grant, { description: "Share an observation, under the same rules as `shareReport`." })
  async shareObservation(@Arg('input', () => ShareObservationInput, { description: 'What to share, with whom, why and until when.' }) input: ShareObservationInput, @Ctx() ctx: Context) {
    const { observationId, ...rest } = input;
    return toGrant(await shareRecord(ctx.db, requireMember(ctx), { subject: { kind: 'observation', id: observationId }, ...rest }));
  }

  @Mutation(() => Grant, { description: "Revoke a grant at once. The originating organization's `org-admin` only." })
  async revokeShare(@Arg('grantId', () => UuidScalar, { description: 'The grant to revoke.' }) grantId: string, @Ctx() ctx: Context) {
    return toGrant(await revokeGrant(ctx.db, requireMember(ctx), grantId));
  }
}
