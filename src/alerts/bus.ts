import type { Database } from '../db/database.js';
import { alertIdsRaisedSince, triageChangesSince } from '../db/queries/alert-feed.js';
import { TRIAGE_CHANNEL, type TriageEvent } from '../db/queries/alert-triage.js';
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
 *
 * Triage changes travel the same way on a channel of their own (TRIAGE_CHANNEL): each names the alert and
 * the organization whose triage changed, and a subscriber is only ever given its own organization's
 * (src/resolvers/alert-subscription.resolver.ts), after reloading the alert under its own row rule. A
 * replay gives each triage changed since shortly before the loss once, as it stands now.
 */
export class AlertBus {
  private readonly listeners = new Set<(alertId: string) => void>();
  private readonly triageListeners = new Set<(event: TriageEvent) => void>();
  private readonly recent = new Set<string>();
  private readonly recentTriage = new Set<string>();
  private stopListening: (() => Promise<void>) | undefined;
  private stopListeningTriage: (() => Promise<void>) | undefined;

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
    this.stopListeningTriage = await this.database.listen(
      TRIAGE_CHANNEL,
      (payload) => this.announceTriage(JSON.parse(payload) as TriageEvent),
      (lostAt) => void this.replayTriage(lostAt),
    );
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    await this.stopListeningTriage?.();
    this.listeners.clear();
    this.triageListeners.clear();
  }

  private announce(id: string): void {
    if (!firstTime(this.recent, id)) return;
    for (const listener of this.listeners) listener(id);
  }

  private announceTriage(event: TriageEvent): void {
    if (!firstTime(this.recentTriage, `${event.alertId}|${event.organizationId}|${event.at}`)) return;
    for (const listener of this.triageListeners) listener(event);
  }

  private async replayTriage(lostAt: Date): Promise<void> {
    try {
      const events = await triageChangesSince(this.database.db, new Date(lostAt.getTime() - REPLAY_MARGIN_MS), REPLAY_LIMIT);
      for (const event of events) this.announceTriage(event);
    } catch (error) {
      this.onReplayFailed(error);
    }
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
    return feed(this.listeners);
  }

  /** Triage changes of every organization as they are committed: the subscriber keeps its own organization's. */
  subscribeTriage(): AsyncIterableIterator<TriageEvent> {
    return feed(this.triageListeners);
  }
}

/** Whether `key` is new among the recently announced ones (a replay and a NOTIFY may both carry it). */
function firstTime(recent: Set<string>, key: string): boolean {
  if (recent.has(key)) return false;
  recent.add(key);
  if (recent.size > RECENT_IDS) recent.delete(recent.values().next().value!);
  return true;
}

/** What the listeners hear, as an iterator, until the consumer stops iterating. */
function feed<T>(listeners: Set<(value: T) => void>): AsyncIterableIterator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  const listener = (value: T) => {
    queue.push(value);
    wake?.();
  };
  listeners.add(listener);
  const finish = () => {
    done = true;
    listeners.delete(listener);
    wake?.();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next(): Promise<IteratorResult<T>> {
      while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (queue.length > 0) return { value: queue.shift()!, done: false };
      return { value: undefined, done: true };
    },
    async return(): Promise<IteratorResult<T>> {
      finish();
      return { value: undefined, done: true };
    },
  };
}
