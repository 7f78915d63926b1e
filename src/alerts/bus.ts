import type { Database } from '../db/database.js';
import { ALERT_CHANNEL } from '../db/queries/alert-writes.js';

/**
 * Committed alerts, as announced by NOTIFY from whichever API process wrote them (PostgreSQL LISTEN/
 * NOTIFY, so several processes behind a load balancer all deliver; PGlite delivers in-process). The bus
 * carries ids only: every subscriber reloads the alert under its own viewer's row rule.
 */
export class AlertBus {
  private readonly listeners = new Set<(alertId: string) => void>();
  private stopListening: (() => Promise<void>) | undefined;

  constructor(private readonly database: Database) {}

  async start(): Promise<void> {
    this.stopListening = await this.database.listen(ALERT_CHANNEL, (id) => {
      for (const listener of this.listeners) listener(id);
    });
  }

  async stop(): Promise<void> {
    await this.stopListening?.();
    this.listeners.clear();
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
