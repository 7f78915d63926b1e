import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { actorOf } from '../auth/access-log.js';
import type { Context } from '../auth/context.js';
import { mayManagePeers } from '../auth/policy.js';
import type { MemberViewer } from '../auth/viewer.js';
import { disablePeer, listPeers, registerPeer, updatePeer } from '../db/queries/peers.js';
import { ApiError, ErrorCode } from '../errors.js';
import { DisablePeerArgs, RegisterPeerInput, UpdatePeerArgs } from '../schema/peer/peer.input.js';
import { toPeer } from '../schema/peer/peer.mapper.js';
import { Peer } from '../schema/peer/peer.type.js';
import { PeerPullState, SyncDeadLetter, SyncDeadLettersArgs } from '../schema/peer/sync-dead-letter.type.js';
import { readDeadLetters, syncStateOf } from '../db/queries/sync-state.js';
import { requireMember } from './member.js';

/** The policy table admits network-admin only; the write checks again, so a rule edited by mistake cannot open it. */
function requirePeerAdmin(ctx: Context): MemberViewer {
  const viewer = requireMember(ctx);
  if (!mayManagePeers(viewer)) throw new ApiError(ErrorCode.FORBIDDEN, 'Managing peer instances needs the network-admin role');
  return viewer;
}

const withoutNulls = <T extends object>(input: T) => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined));

@Resolver(() => Peer)
export class PeerResolver {
  @Query(() => [Peer], { description: 'The peer instances this instance shares with (issue 17), by id. `network-admin` only.' })
  async peers(@Ctx() ctx: Context) {
    requirePeerAdmin(ctx);
    return (await listPeers(ctx.db)).map(toPeer);
  }

  @Query(() => [SyncDeadLetter], { description: "Entries of peers' change feeds this instance could not apply, newest first (issue 17). `network-admin` only; the read is audited." })
  async syncDeadLetters(@Args(() => SyncDeadLettersArgs) { peer, first }: SyncDeadLettersArgs, @Ctx() ctx: Context) {
    const rows = await readDeadLetters(ctx.db, actorOf(requirePeerAdmin(ctx)), peer ?? null, first);
    return rows.map((r) => Object.assign(new SyncDeadLetter(), { id: r.id, peer: r.peerId, reason: r.reason, entry: JSON.stringify(r.entry), pageAfter: r.pageAfter, receivedAt: r.receivedAt }));
  }

  @FieldResolver(() => PeerPullState, { nullable: true, description: 'Where our pull client stands with this peer: its cursor and back-off; null before the first pass. `network-admin` only, as the peers are.' })
  async pullState(@Root() peer: Peer, @Ctx() ctx: Context) {
    requirePeerAdmin(ctx);
    const row = await syncStateOf(ctx.db, peer.id);
    return row ? Object.assign(new PeerPullState(), { cursor: row.cursor, lastSuccessAt: row.lastSuccessAt, consecutiveFailures: row.consecutiveFailures, nextAttemptAt: row.nextAttemptAt, lastError: row.lastError }) : null;
  }

  @Mutation(() => Peer, { description: 'Registers a peer instance: its id, URL, the organization it acts for, its public keys and what may go to it. `network-admin` only; audited.' })
  async registerPeer(@Arg('input', () => RegisterPeerInput, { description: "The peer: its instance id, base URL, the organization it acts for, its public keys and what may go to it." }) input: RegisterPeerInput, @Ctx() ctx: Context) {
    return toPeer(await registerPeer(ctx.db, actorOf(requirePeerAdmin(ctx)), { ...input, allowedMarkings: input.allowedMarkings ?? [], allowedKinds: input.allowedKinds ?? [], allowedCountries: input.allowedCountries ?? [], downgrade: input.downgrade ?? 'NONE' }));
  }

  @Mutation(() => Peer, { description: "Changes a peer's entry (new keys, direction, what may go, enabled again). `network-admin` only; audited." })
  async updatePeer(@Args(() => UpdatePeerArgs) { id, input }: UpdatePeerArgs, @Ctx() ctx: Context) {
    return toPeer(await updatePeer(ctx.db, actorOf(requirePeerAdmin(ctx)), id, withoutNulls(input)));
  }

  @Mutation(() => Peer, { description: "Refuses a peer's tokens from the next call on; its entry is kept. `network-admin` only; audited with the reason." })
  async disablePeer(@Args(() => DisablePeerArgs) { id, reason }: DisablePeerArgs, @Ctx() ctx: Context) {
    return toPeer(await disablePeer(ctx.db, actorOf(requirePeerAdmin(ctx)), id, reason));
  }
}
