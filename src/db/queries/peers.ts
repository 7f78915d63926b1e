import { asc, eq, inArray, lt, sql } from 'drizzle-orm';
import { ApiError, ErrorCode, badInput, notFound } from '../../errors.js';
import type { Db } from '../database.js';
import { checkBaseUrl, checkDowngrade, checkJwks, checkKinds, checkMarkings, checkPeerId, type PeerInput } from '../peer-input.js';
import { auditEvents, type NewAuditEvent } from '../schema/audit.js';
import { countries } from '../schema/countries.js';
import { organizations } from '../schema/organizations.js';
import { peers, peerTokenJtis, type PeerRow } from '../schema/peers.js';

/** Who changes the table of peers, as the audit entry names them: a network-admin's token, or the CLI's operator. */
export type PeerActor = Pick<NewAuditEvent, 'actorSub' | 'actorOrgId'>;

export function listPeers(db: Db): Promise<PeerRow[]> {
  return db.select().from(peers).orderBy(asc(peers.id));
}

export async function findPeer(db: Db, id: string): Promise<PeerRow | undefined> {
  const [row] = await db.select().from(peers).where(eq(peers.id, id));
  return row;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

async function checkOrganization(tx: Tx, id: string): Promise<string> {
  const [org] = await tx.select({ active: organizations.active }).from(organizations).where(eq(organizations.id, id));
  if (!org || !org.active) throw badInput(`organizationId: "${id}" is not an active organization of the network`, 'organizationId');
  return id;
}

async function checkCountries(tx: Tx, codes: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(codes)];
  if (wanted.length === 0) return [];
  const known = new Set((await tx.select({ iso3: countries.iso3 }).from(countries).where(inArray(countries.iso3, wanted))).map((c) => c.iso3));
  const unknown = wanted.filter((c) => !known.has(c));
  if (unknown.length) throw badInput(`allowedCountries: unknown country code(s) ${unknown.join(', ')} (ISO 3166 alpha-3, e.g. KAZ)`, 'allowedCountries');
  return wanted;
}

/** One line for the audit entry: what the peer may do after the change. */
function describePeer(row: PeerRow): string {
  const countriesText = row.allowedCountries.length ? row.allowedCountries.join(',') : 'all countries';
  return `${row.id} (${row.baseUrl}) acts for ${row.organizationId}; ${row.direction}; markings ${row.allowedMarkings.join(',') || 'none'}; kinds ${row.allowedKinds.join(',') || 'none'}; ${countriesText}; keys ${row.jwks.keys.map((k) => String(k.kid ?? '?')).join(',')}${row.downgrade !== 'NONE' ? `; downgrade ${row.downgrade}` : ''}${row.disabledAt ? '; disabled' : ''}`;
}

async function audit(tx: Tx, actor: PeerActor, action: string, row: PeerRow, reason?: string): Promise<void> {
  await tx.insert(auditEvents).values({ kind: 'WRITE', ...actor, action, reason: `${describePeer(row)}${reason ? `. ${reason}` : ''}` });
}

function isDuplicatePeer(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/** Registers a peer instance; the row and its audit entry are one transaction. */
export async function registerPeer(db: Db, actor: PeerActor, input: Required<Pick<PeerInput, 'id' | 'baseUrl' | 'organizationId' | 'jwks' | 'direction'>> & PeerInput): Promise<PeerRow> {
  const id = checkPeerId(input.id);
  const baseUrl = checkBaseUrl(input.baseUrl);
  const allowedMarkings = checkMarkings(input.allowedMarkings ?? []);
  const allowedKinds = checkKinds(input.allowedKinds ?? []);
  const jwks = await checkJwks(input.jwks);
  const downgrade = checkDowngrade(input.downgrade ?? 'NONE');
  try {
    return await db.transaction(async (tx) => {
      const values = {
        id,
        baseUrl,
        organizationId: await checkOrganization(tx, input.organizationId),
        jwks,
        direction: input.direction,
        allowedMarkings: allowedMarkings as PeerRow['allowedMarkings'],
        allowedKinds: allowedKinds as PeerRow['allowedKinds'],
        allowedCountries: await checkCountries(tx, input.allowedCountries ?? []),
        downgrade,
      };
      const [row] = await tx.insert(peers).values(values).returning();
      await audit(tx, actor, 'registerPeer', row!);
      return row!;
    });
  } catch (error) {
    if (isDuplicatePeer(error)) throw new ApiError(ErrorCode.CONFLICT, `A peer "${id}" is already registered: change it with updatePeer`, { field: 'id' });
    throw error;
  }
}

/** Changes what is given; `disabled: false` enables a disabled peer again. One transaction with its audit entry. */
export async function updatePeer(db: Db, actor: PeerActor, id: string, input: Omit<PeerInput, 'id'> & { disabled?: boolean }, reason?: string): Promise<PeerRow> {
  const change: Partial<typeof peers.$inferInsert> = {};
  if (input.baseUrl !== undefined) change.baseUrl = checkBaseUrl(input.baseUrl);
  if (input.allowedMarkings !== undefined) change.allowedMarkings = checkMarkings(input.allowedMarkings) as PeerRow['allowedMarkings'];
  if (input.allowedKinds !== undefined) change.allowedKinds = checkKinds(input.allowedKinds) as PeerRow['allowedKinds'];
  if (input.jwks !== undefined) change.jwks = await checkJwks(input.jwks);
  if (input.direction !== undefined) change.direction = input.direction;
  if (input.downgrade !== undefined) change.downgrade = checkDowngrade(input.downgrade);
  return db.transaction(async (tx) => {
    if (input.organizationId !== undefined) change.organizationId = await checkOrganization(tx, input.organizationId);
    if (input.allowedCountries !== undefined) change.allowedCountries = await checkCountries(tx, input.allowedCountries);
    if (input.disabled !== undefined) change.disabledAt = input.disabled ? sql`coalesce(${peers.disabledAt}, now())` as unknown as Date : null;
    const [row] = await tx.update(peers).set({ ...change, updatedAt: sql`now()` as unknown as Date }).where(eq(peers.id, id)).returning();
    if (!row) throw notFound('Peer');
    await audit(tx, actor, input.disabled === true ? 'disablePeer' : 'updatePeer', row, reason);
    return row;
  });
}

/** Stops accepting the peer's tokens (from the next call on); the entry is kept, with the reason in the audit. */
export function disablePeer(db: Db, actor: PeerActor, id: string, reason: string): Promise<PeerRow> {
  if (reason.trim() === '') throw badInput('reason: say why the peer is disabled (kept in the audit entry)', 'reason');
  return updatePeer(db, actor, id, { disabled: true }, reason);
}

let remembered = 0;

/**
 * Records a token id of a peer until `expiresAt`; false when it was recorded before (a replay). The primary
 * key decides, so two processes given the same token at the same moment accept it once. Every hundredth
 * call also drops the ids of expired tokens (an expired token is refused by its `exp` anyway).
 */
export async function rememberTokenId(db: Db, peerId: string, jti: string, expiresAt: Date): Promise<boolean> {
  const inserted = await db.insert(peerTokenJtis).values({ peerId, jti, expiresAt }).onConflictDoNothing().returning({ jti: peerTokenJtis.jti });
  if ((remembered = (remembered + 1) % 100) === 0) await db.delete(peerTokenJtis).where(lt(peerTokenJtis.expiresAt, sql`now()`));
  return inserted.length === 1;
}

