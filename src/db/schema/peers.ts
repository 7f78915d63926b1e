import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { tlpEnum } from './enums.js';
import { organizations } from './organizations.js';

export const peerDirectionEnum = pgEnum('peer_direction', ['PUSH', 'PULL', 'BOTH']);
export const syncRecordKindEnum = pgEnum('sync_record_kind', ['REPORT', 'OBSERVATION']);
/** NONE: records go as they are, or not at all. TEARLINE: an AMBER or AMBER+STRICT report goes as its tearlines only. */
export const peerDowngradeEnum = pgEnum('peer_downgrade', ['NONE', 'TEARLINE']);

/**
 * Other instances of the network (issue 17): a national node, the regional hub. `id` is the peer's own
 * INSTANCE_ID (the `iss` of its instance tokens); it acts here for `organization_id`, whose row rule
 * will decide what it may receive; `jwks` holds the public keys its tokens are verified with. TLP:RED
 * never syncs, so the database refuses it among the allowed markings as the API does.
 */
export const peers = pgTable(
  'peers',
  {
    id: text('id').primaryKey(),
    baseUrl: text('base_url').notNull(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id),
    jwks: jsonb('jwks').$type<{ keys: Record<string, unknown>[] }>().notNull(),
    direction: peerDirectionEnum('direction').notNull(),
    allowedMarkings: tlpEnum('allowed_markings').array().notNull().default(sql`'{}'::tlp[]`),
    allowedKinds: syncRecordKindEnum('allowed_kinds').array().notNull().default(sql`'{}'::sync_record_kind[]`),
    // Empty: every country.
    allowedCountries: text('allowed_countries').array().notNull().default(sql`'{}'::text[]`),
    // A downgrade is configured, never implied (issue 17): without one, a record the peer may not have as
    // it is simply does not go.
    downgrade: peerDowngradeEnum('downgrade').notNull().default('NONE'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    disabledAt: timestamp('disabled_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [check('peers_never_red', sql`not ('RED' = any(${t.allowedMarkings}))`), index('peers_organization_idx').on(t.organizationId)],
);

/**
 * The `jti` of every instance token accepted, until it expires: a token is good for one call, even when
 * the calls reach different API processes (the primary key decides, in the database they share).
 */
export const peerTokenJtis = pgTable(
  'peer_token_jtis',
  {
    peerId: text('peer_id').notNull(),
    jti: text('jti').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.peerId, t.jti] }), index('peer_token_jtis_expires_idx').on(t.expiresAt)],
);

export type PeerRow = typeof peers.$inferSelect;
