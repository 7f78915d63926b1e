import { sql } from 'drizzle-orm';
import { bigint, check, foreignKey, index, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { TRIAGE_STATES } from '../../alerts/triage.js';
import { alerts } from './alerts.js';
import { organizations } from './organizations.js';

const states = sql.raw(TRIAGE_STATES.map((s) => `'${s}'`).join(', '));

/**
 * One organization's triage of one alert (src/alerts/triage.ts): its state, the person it is assigned to
 * and when it last changed. No row means NEW. Read by that organization, and by the network's
 * coordinators as the policy says (src/auth/policy.ts); never by another organization.
 *
 * A person is a `sub` within an organization (as in grants): the assignee is always a person of the
 * triaging organization (organization_id), so another organization's person cannot be named here.
 */
export const alertTriage = pgTable(
  'alert_triage',
  {
    alertId: uuid('alert_id')
      .notNull()
      .references(() => alerts.id),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    state: text('state', { enum: TRIAGE_STATES }).notNull().default('NEW'),
    assigneeSub: text('assignee_sub'),
    // When the organization first acknowledged it (the deprecated Alert.acknowledgedAt reads it).
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, precision: 3 }),
    // When the organization first escalated it: from then on the coordinators read its thread.
    escalatedAt: timestamp('escalated_at', { withTimezone: true, precision: 3 }),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedBySub: text('updated_by_sub').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.alertId, t.organizationId] }),
    // "My organization's queue" (alerts(filter: { triageState, assignedToMe })) and the feed's replay.
    index('alert_triage_org_state_idx').on(t.organizationId, t.state),
    index('alert_triage_updated_idx').on(t.updatedAt),
    check('alert_triage_state', sql`${t.state} in (${states})`),
  ],
);

/**
 * The thread of an organization's triage of an alert: append-only (the API never updates or deletes a
 * note). A note written with a transition carries the state it moved the triage to.
 */
export const alertTriageNotes = pgTable(
  'alert_triage_notes',
  {
    // Increasing: the thread's order (notes written in the same millisecond keep the order they were written in).
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    alertId: uuid('alert_id').notNull(),
    organizationId: text('organization_id').notNull(),
    authorSub: text('author_sub').notNull(),
    writtenAt: timestamp('written_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    body: text('body').notNull(),
    state: text('state', { enum: TRIAGE_STATES }),
  },
  (t) => [
    foreignKey({ name: 'alert_triage_notes_triage_fk', columns: [t.alertId, t.organizationId], foreignColumns: [alertTriage.alertId, alertTriage.organizationId] }),
    index('alert_triage_notes_thread_idx').on(t.alertId, t.organizationId, t.id.desc()),
    check('alert_triage_notes_state', sql`${t.state} is null or ${t.state} in (${states})`),
  ],
);

export type AlertTriageRow = typeof alertTriage.$inferSelect;
export type AlertTriageNoteRow = typeof alertTriageNotes.$inferSelect;
