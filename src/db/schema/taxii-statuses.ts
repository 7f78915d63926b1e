import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from './organizations.js';

/**
 * The status resource of each TAXII write (TAXII 2.1 §4.3.1), kept so a client can read it again with
 * GET /taxii2/ctewn/status/{id}/. Only the writing organization may read it: the status names the
 * objects it wrote, which its other readers may not see.
 */
export const taxiiStatuses = pgTable(
  'taxii_statuses',
  {
    id: uuid('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    requestedAt: timestamp('requested_at', { withTimezone: true, precision: 3 }).notNull(),
    resource: jsonb('resource').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('taxii_statuses_org_idx').on(t.organizationId, t.requestedAt)],
);
