import { Args, Resolver, Root, Subscription } from 'type-graphql';
import { rank } from '../alerts/rules.js';
import type { Context } from '../auth/context.js';
import { alertsByIds } from '../db/queries/alerts.js';
import { AlertRaisedArgs } from '../schema/alert/alert.args.js';
import { toAlert } from '../schema/alert/alert.mapper.js';
import { Alert } from '../schema/alert/alert.type.js';

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
      yield toAlert(row);
    }
  } finally {
    await ids.return?.();
  }
}

@Resolver(() => Alert)
export class AlertSubscriptionResolver {
  @Subscription(() => Alert, {
    subscribe: ({ args, context }) => alertsFor(context as Context, args as AlertRaisedArgs),
    description:
      'Alerts as they are raised (over WebSocket, graphql-ws protocol, on /graphql; authenticate with `connectionParams: { authorization: "Bearer …" }`). Only alerts you may see are sent.',
  })
  alertRaised(@Root() alert: Alert, @Args(() => AlertRaisedArgs) _args: AlertRaisedArgs): Alert {
    return alert;
  }
}
