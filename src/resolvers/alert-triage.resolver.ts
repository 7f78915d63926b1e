import { Args, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../auth/context.js';
import { assigneeRefusal, triageRefusal } from '../auth/policy.js';
import type { MemberViewer } from '../auth/viewer.js';
import { changeTriage, threadKey, type TriageChange } from '../db/queries/alert-triage.js';
import { ApiError, badInput, ErrorCode } from '../errors.js';
import { AssignAlertArgs, NoteAlertArgs, TriageAlertArgs, TriageNotesArgs } from '../schema/alert/alert.args.js';
import { toAlert } from '../schema/alert/alert.mapper.js';
import { Alert, AlertStatus } from '../schema/alert/alert.type.js';
import { toAlertTriage, toAlertTriageNote } from '../schema/alert/alert-triage.mapper.js';
import { AlertTriage, AlertTriageNote } from '../schema/alert/alert-triage.type.js';
import { toOrganization } from '../schema/organization/organization.mapper.js';
import { Organization } from '../schema/organization/organization.type.js';
import { requireMember } from './member.js';

/** An analyst of a member organization: triage writes are theirs (the policy's triageRefusal). */
export function triager(ctx: Context): MemberViewer {
  const viewer = requireMember(ctx);
  const refusal = triageRefusal(viewer);
  if (refusal) throw new ApiError(ErrorCode.FORBIDDEN, refusal);
  return viewer;
}

/** Writes the viewer's organization's triage and answers with the alert as it now reads. */
export async function writeTriage(ctx: Context, viewer: MemberViewer, id: string, change: TriageChange, action: string): Promise<Alert> {
  const row = await changeTriage(ctx.db, viewer, id, change, action);
  // A document may hold several writes: what an earlier one loaded is stale now.
  ctx.loaders.triageNotes.clearAll();
  ctx.loaders.alertTriages.clearAll();
  return toAlert(row);
}

const supersededFor = (alert: Alert) => alert.status === AlertStatus.SUPERSEDED;

@Resolver(() => Alert)
export class AlertTriageResolver {
  @Mutation(() => Alert, {
    description:
      "Move your organization's triage of an alert you may see one step (analyst role), with a note: NEW → ACKNOWLEDGED → IN_REVIEW → ESCALATED | DISMISSED | CLOSED, ESCALATED → CLOSED, and DISMISSED or CLOSED → IN_REVIEW (reopening). A superseded alert's triage can only be closed. Any other step: CONFLICT naming `state` and the allowed next states. Other organizations' triage is untouched.",
  })
  async triageAlert(@Args(() => TriageAlertArgs) { id, state, note }: TriageAlertArgs, @Ctx() ctx: Context) {
    return writeTriage(ctx, triager(ctx), id, { kind: 'transition', to: state, note, field: 'state' }, 'triageAlert');
  }

  @Mutation(() => Alert, {
    description: "Assign your organization's triage of an alert to a person of your organization (`person` with `organizationId`), or unassign it (neither) (analyst role).",
  })
  async assignAlert(@Args(() => AssignAlertArgs) { id, person, organizationId }: AssignAlertArgs, @Ctx() ctx: Context) {
    const viewer = triager(ctx);
    const refusal = assigneeRefusal(viewer, person, organizationId);
    if (refusal) throw badInput(refusal.message, refusal.field);
    return writeTriage(ctx, viewer, id, { kind: 'assign', assigneeSub: person ?? null }, 'assignAlert');
  }

  @Mutation(() => Alert, { description: "Add a note to your organization's triage thread of an alert (analyst role). Notes are never changed or removed." })
  async noteAlert(@Args(() => NoteAlertArgs) { id, note }: NoteAlertArgs, @Ctx() ctx: Context) {
    return writeTriage(ctx, triager(ctx), id, { kind: 'note', note }, 'noteAlert');
  }

  @FieldResolver(() => AlertTriage, {
    nullable: true,
    description: "Your organization's triage of the alert (members): its state, assignee and notes. Each organization has its own; no other organization reads yours.",
  })
  triage(@Root() alert: Alert, @Ctx() ctx: Context): AlertTriage | null {
    if (ctx.viewer.kind !== 'member') return null;
    return toAlertTriage({ alertId: alert.id, organizationId: ctx.viewer.organizationId, ...alert.ownTriage }, supersededFor(alert));
  }

  @FieldResolver(() => [AlertTriage], {
    nullable: true,
    description: "Every organization's triage of the alert, for the organizations that have acted on it: the network's coordinators only (UNRCCA, UNOCT).",
  })
  async triages(@Root() alert: Alert, @Ctx() ctx: Context): Promise<AlertTriage[]> {
    const rows = await ctx.loaders.alertTriages.load(alert.id);
    return rows.map((row) => toAlertTriage(row, supersededFor(alert)));
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Your organization's acknowledgement note.",
    deprecationReason: "Triage is per organization: use `triage { notes { text state } }` (this is your organization's acknowledgement only).",
  })
  async acknowledgementNote(@Root() alert: Alert, @Ctx() ctx: Context): Promise<string | null> {
    if (ctx.viewer.kind !== 'member' || !alert.acknowledgedAt) return null;
    const scopeKey = threadKey({ alertId: alert.id, organizationId: ctx.viewer.organizationId });
    const [note] = await ctx.loaders.triageNotes.load({ scopeKey, args: { first: 1, state: 'ACKNOWLEDGED' } });
    return note?.body ?? null;
  }
}

@Resolver(() => AlertTriage)
export class AlertTriageFieldsResolver {
  @FieldResolver(() => Organization, { nullable: true, description: 'The organization whose triage it is.' })
  async organization(@Root() triage: AlertTriage, @Ctx() ctx: Context) {
    const row = await ctx.loaders.organization.load(triage.organizationId);
    return row && toOrganization(row);
  }

  @FieldResolver(() => [AlertTriageNote], {
    nullable: true,
    description: "The thread, newest first: notes written alone and with each step. The triaging organization; the network's coordinators once it has been escalated.",
  })
  async notes(@Root() triage: AlertTriage, @Args(() => TriageNotesArgs) { first }: TriageNotesArgs, @Ctx() ctx: Context): Promise<AlertTriageNote[]> {
    const rows = await ctx.loaders.triageNotes.load({ scopeKey: threadKey(triage), args: { first } });
    return rows.map(toAlertTriageNote);
  }
}
