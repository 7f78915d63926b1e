import { listPeers } from '../db/queries/peers.js';
import { syncStateOf } from '../db/queries/sync-state.js';
import type { Logger } from '../logger.js';
import { ConcurrentPass, PullFailed, pullFromPeer, type PullerDeps } from './puller.js';

export interface PullLoop {
  stop(): Promise<void>;
}

/**
 * SYNC_PULL_INTERVAL_S > 0: every interval, one pass (src/sync/puller.ts) for each enabled peer whose row
 * says PULL or BOTH and whose back-off has run out. One round at a time, peers one after another; a
 * failure is logged and backed off, never thrown. Several API processes may run it: the cursor check in
 * each page's transaction lets one of them apply a page, the others stop their pass.
 */
export function startPullLoop(deps: PullerDeps & { logger: Logger }, intervalMs: number): PullLoop {
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const runRound = async () => {
    for (const peer of await listPeers(deps.db)) {
      if (stopped) return;
      if (peer.disabledAt || peer.direction === 'PUSH') continue;
      const next = (await syncStateOf(deps.db, peer.id))?.nextAttemptAt;
      if (next && next.getTime() > Date.now()) continue;
      try {
        const summary = await pullFromPeer(deps, peer.id);
        if (summary.written || summary.deadLetters) deps.logger.info({ peer: peer.id, ...summary }, 'pulled from a peer');
      } catch (error) {
        if (error instanceof ConcurrentPass) continue;
        if (error instanceof PullFailed) deps.logger.warn({ peer: peer.id, reason: error.message }, 'pull from a peer failed; backing off');
        else deps.logger.error({ err: error, peer: peer.id }, 'pull from a peer failed');
      }
    }
  };
  let running = false;
  const timer = setInterval(() => {
    // A round longer than the interval is not overlapped: the next tick after it starts the next one.
    if (running) return;
    running = true;
    round = runRound()
      .catch((error: unknown) => deps.logger.error({ err: error }, 'pull round failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
