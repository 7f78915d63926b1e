import { Args, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { findAuditEvents } from '../db/queries/audit.js';
import { AuditEventsArgs } from '../schema/audit/audit-event.args.js';
import { toAuditEvent } from '../schema/audit/audit-event.mapper.js';
import { AuditEvent, AuditEventConnection } from '../schema/audit/audit-event.type.js';
import { mapPage } from '../schema/common/map-page.js';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, {
    nullable: true,
    description: 'The access log of the whole network, newest first. The `auditor` role only.',
  })
  async auditEvents(@Args(() => AuditEventsArgs) { filter, first, after }: AuditEventsArgs, @Ctx() ctx: Context) {
    return mapPage(await findAuditEvents(ctx.db, { filter, first, after }), toAuditEvent);
  }
}
