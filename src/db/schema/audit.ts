import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * The access log: append-only (the API never updates or deletes a row). One row per request that
 * returned a non-CLEAR record or a restricted field, or was refused one, and one per write.
 * origin_org_ids lets each data owner find who read its records.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    // READ: records or restricted fields returned; DENIED: only refusals; WRITE: a change.
    kind: text('kind', { enum: ['READ', 'DENIED', 'WRITE'] }).notNull(),
    actorSub: text('actor_sub'),
    actorOrgId: text('actor_org_id'),
    operationName: text('operation_name'),
    documentHash: text('document_hash'),
    action: text('action'),
    reportIds: uuid('report_ids').array().notNull().default(sql`'{}'::uuid[]`),
    observationIds: uuid('observation_ids').array().notNull().default(sql`'{}'::uuid[]`),
    grantIds: uuid('grant_ids').array().notNull().default(sql`'{}'::uuid[]`),
    // The alerts a write changed (an organization's triage of them).
    alertIds: uuid('alert_ids').array().notNull().default(sql`'{}'::uuid[]`),
    originOrgIds: text('origin_org_ids').array().notNull().default(sql`'{}'::text[]`),
    fields: text('fields').array().notNull().default(sql`'{}'::text[]`),
    deniedFields: text('denied_fields').array().notNull().default(sql`'{}'::text[]`),
    // The same fields by the record they were read on (a record id, or '*' for every record of the entry,
    // as an export gives a column on every row): a record's own access log shows only what concerns it.
    recordFields: jsonb('record_fields').$type<RecordFields>().notNull().default(sql`'{}'::jsonb`),
    // Why a write was made, where the write asks for one: the releaseReason of a lowered marking (a
    // release decision), the reason of a retraction.
    reason: text('reason'),
  },
  (t) => [
    index('audit_events_occurred_idx').on(t.occurredAt.desc(), t.id.desc()),
    index('audit_events_actor_org_idx').on(t.actorOrgId, t.occurredAt.desc()),
    index('audit_events_reports_idx').using('gin', t.reportIds),
    index('audit_events_origins_idx').using('gin', t.originOrgIds),
  ],
);

/** Record id (or '*') → the restricted fields given and refused on it. */
export type RecordFields = Record<string, { fields?: string[]; deniedFields?: string[] }>;

export type AuditEventRow = typeof auditEvents.$inferSelect;
export type NewAuditEvent = typeof auditEvents.$inferInsert;
