import type { Database } from '../db/database.js';
import { alertIdsRaisedSince } from '../db/queries/alert-feed.js';
import { ALERT_CHANNEL } from '../db/queries/alert-writes.js';

/**
 * How far before the loss of the LISTEN connection the replay looks: an alert's raised_at is its
 * transaction's start, which may precede the loss by up to a request's duration; also covers clock skew
 * between the API host and the database.
 */
const REPLAY_MARGIN_MS = 60_000;
/** Ids announced lately, so a replay never delivers one twice (NOTIFY and replay may both carry it). */
const RECENT_IDS = 5_000;
const REPLAY_LIMIT = 1_000;

/**
 * Committed alerts, as announced by NOTIFY from whichever API process wrote them (PostgreSQL LISTEN/
 * NOTIFY, so several processes behind a load balancer all deliver; PGlite delivers in-process). The bus
 * carries ids only: every subscriber reloads the alert under its own viewer's row rule. A NOTIFY sent
 * while this process's LISTEN connection was down (database restart) is lost, so when the connection is
 * back the bus replays the alerts raised since shortly before the loss.
 */
export class AlertBus {
  private readonly listeners = new Set<(alertId: string) => void>();
  private readonly recent = new Set<string>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(
    private readonly database: Database,
    private readonly onReplayFailed: (error: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(
      ALERT_CHANNEL,
      (id) => this.announce(id),
      (lostAt) => void this.replay(lostAt),
    );
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.listeners.clear();
  }

  private announce(id: string): void {
    if (this.recent.has(id)) return;
    this.recent.add(id);
    if (this.recent.size > RECENT_IDS) this.recent.delete(this.recent.values().next().value!);
    for (const listener of this.listeners) listener(id);
  }

  private async replay(lostAt: Date): Promise<void> {
    try {
      const ids = await alertIdsRaisedSince(this.database.db, new Date(lostAt.getTime() - REPLAY_MARGIN_MS), REPLAY_LIMIT);
      for (const id of ids) this.announce(id);
    } catch (error) {
      this.onReplayFailed(error);
    }
  }

  /** Observes every announced alert id (metrics); returns a function that stops observing. */
  onAlert(listener: (alertId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Alert ids as they are committed, until the consumer stops iterating. */
  subscribe(): AsyncIterableIterator<string> {
    const queue: string[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const listener = (id: string) => {
      queue.push(id);
      wake?.();
    };
    this.listeners.add(listener);
    const finish = () => {
      done = true;
      this.listeners.delete(listener);
      wake?.();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<string>> {
        while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (queue.length > 0) return { value: queue.shift()!, done: false };
        return { value: undefined, done: true };
      },
      async return(): Promise<IteratorResult<string>> {
        finish();
        return { value: undefined, done: true };
      },
    };
  }
}
