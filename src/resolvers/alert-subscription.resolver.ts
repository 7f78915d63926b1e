import { Args, Resolver, Root, Subscription } from 'type-graphql';
import { rank } from '../alerts/rules.js';
import type { Context } from '../auth/context.js';
import { triageFilterRefusal } from '../auth/policy.js';
import { alertsByIds, type AlertRead } from '../db/queries/alerts.js';
import { ApiError, ErrorCode } from '../errors.js';
import { AlertRaisedArgs, AlertTriagedArgs } from '../schema/alert/alert.args.js';
import { toAlert } from '../schema/alert/alert.mapper.js';
import { Alert } from '../schema/alert/alert.type.js';
import type { TriageState } from '../schema/alert/alert-triage.type.js';

/** Whether the viewer's own organization's triage of the alert is in one of the wanted states (NEW without a row). */
const inTriageState = (row: AlertRead, wanted: readonly TriageState[] | null | undefined) => !wanted || wanted.includes((row.ownTriageState ?? 'NEW') as TriageState);

/** Filtering by triage reads the subscriber's organization's triage: refused, naming the argument, without one. */
function checkTriageFilter(ctx: Context, wanted: readonly TriageState[] | null | undefined): void {
  const refusal = wanted ? triageFilterRefusal(ctx.viewer) : null;
  if (refusal) throw new ApiError(ErrorCode.FORBIDDEN, refusal, { field: 'triageState' });
}

/**
 * Every committed alert, checked against the sharing policy for THIS subscriber before it is sent: the
 * alert is reloaded under the subscriber's viewer (the same SQL row rule as `alerts`), so an alert on
 * values the subscriber may not see is never delivered.
 */
async function* alertsFor(ctx: Context, args: AlertRaisedArgs): AsyncGenerator<Alert> {
  if (!ctx.alertBus) return;
  const ids = ctx.alertBus.subscribe();
  try {
    for await (const id of ids) {
      const [row] = await alertsByIds(ctx.db, ctx.viewer, [id]);
      if (!row) continue;
      if (args.country && row.countryIso3 !== args.country) continue;
      if (args.minLevel && rank(row.level) < rank(args.minLevel)) continue;
      if (!inTriageState(row, args.triageState)) continue;
      yield toAlert(row);
    }
  } finally {
    await ids.return?.();
  }
}

/**
 * The subscriber's own organization's triage changes. Every process hears every organization's changes
 * (ids only); this keeps those of the subscriber's organization and drops the rest before anything is
 * read, so another organization's change is never reloaded, filtered or counted for this subscriber. The
 * alert is then reloaded under the subscriber's row rule (it may have lost sight of it since).
 */
async function* triagedFor(ctx: Context, args: AlertTriagedArgs): AsyncGenerator<Alert> {
  if (!ctx.alertBus || ctx.viewer.kind !== 'member') return;
  const organizationId = ctx.viewer.organizationId;
  const events = ctx.alertBus.subscribeTriage();
  try {
    for await (const event of events) {
      if (event.organizationId !== organizationId) continue;
      // The subscription's loaders live as long as it does: a thread read for an earlier event is stale.
      ctx.loaders.triageNotes.clearAll();
      ctx.loaders.alertTriages.clearAll();
      const [row] = await alertsByIds(ctx.db, ctx.viewer, [event.alertId]);
      if (!row || !inTriageState(row, args.triageState)) continue;
      yield toAlert(row);
    }
  } finally {
    await events.return?.();
  }
}

@Resolver(() => Alert)
export class AlertSubscriptionResolver {
  @Subscription(() => Alert, {
    subscribe: ({ args, context }) => {
      checkTriageFilter(context as Context, (args as AlertRaisedArgs).triageState);
      return alertsFor(context as Context, args as AlertRaisedArgs);
    },
    description:
      'Alerts as they are raised (over WebSocket, graphql-ws protocol, on /graphql; authenticate with `connectionParams: { authorization: "Bearer …" }`). Only alerts you may see are sent.',
  })
  alertRaised(@Root() alert: Alert, @Args(() => AlertRaisedArgs) _args: AlertRaisedArgs): Alert {
    return alert;
  }

  @Subscription(() => Alert, {
    nullable: true,
    subscribe: ({ args, context }) => triagedFor(context as Context, args as AlertTriagedArgs),
    description:
      "Your organization's triage changes as they are committed (a step, an assignment, a note): the alert, with its `triage`. Members only; another organization's triage changes are never sent.",
  })
  alertTriaged(@Root() alert: Alert, @Args(() => AlertTriagedArgs) _args: AlertTriagedArgs): Alert {
    return alert;
  }
}
