import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import WebSocket from 'ws';

export interface Subscription<T> {
  events: T[];
  /** Resolves with the first event matching `predicate` (or rejects after `timeoutMs`). */
  next(predicate: (event: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * A graphql-ws client as an application builds one: /graphql over WebSocket, the token in connectionParams,
 * connecting at once and never retrying. A refused connection (4401 "invalid token") is the outcome some
 * tests expect, so the default handler, which prints it, is replaced.
 */
function wsClient(url: string, authorization: string | undefined, on?: ClientOptions['on']): Client {
  return createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    ...(on ? { on } : {}),
  });
}

/** Subscribes the way a client does: graphql-ws over WebSocket on /graphql, token in connectionParams. */
export async function subscribe<T>(url: string, query: string, variables: Record<string, unknown>, authorization?: string): Promise<Subscription<T> & { client: Client }> {
  const closed: { code?: number } = {};
  const client = wsClient(url, authorization, { closed: (event) => (closed.code = (event as { code?: number }).code) });
  const events: T[] = [];
  const waiters: { predicate: (e: T) => boolean; resolve: (e: T) => void }[] = [];
  let failure: unknown;
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) failure = result.errors;
        const event = result.data as T;
        events.push(event);
        for (const w of [...waiters]) if (w.predicate(event)) w.resolve(event);
      },
      error: (error) => (failure = error),
      complete: () => undefined,
    },
  );
  // The subscription is live once the server has acknowledged the connection.
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      resolve();
    });
    const offClosed = client.on('closed', (event) => {
      offClosed();
      const { code, reason } = event as { code?: number; reason?: string };
      reject(Object.assign(new Error(`connection closed before it was acknowledged: ${code ?? '?'} ${reason || '(no reason)'}`), { code, reason }));
    });
  });
  await new Promise((r) => setTimeout(r, 100));
  return {
    client,
    events,
    next(predicate, timeoutMs = 10_000) {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      if (failure) return Promise.reject(failure);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`)), timeoutMs);
        waiters.push({ predicate, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    async close() {
      stop();
      await client.dispose();
    },
  };
}

/** What the server answered to one operation sent over a socket. */
export interface SocketReply {
  /** The first `next` payload (a query's result; for a subscription, its first event). */
  data?: unknown;
  /** Errors of a `next` payload, or of an `error` message (the operation was refused). */
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  /** True when nothing came back within the wait: a subscription the server accepted and keeps open. */
  open: boolean;
}

export interface Socket {
  client: Client;
  /** Sends one operation and waits for its first reply, or `settleMs` of silence. */
  send(payload: { query: string; variables?: Record<string, unknown>; operationName?: string }, settleMs?: number): Promise<SocketReply>;
  close(): Promise<void>;
}

/** A graphql-ws connection (token in connectionParams), acknowledged by the server before it resolves. */
export async function connect(url: string, authorization?: string): Promise<Socket> {
  const client = wsClient(url, authorization);
  await new Promise<void>((resolve, reject) => {
    const offConnected = client.on('connected', () => (offConnected(), resolve()));
    const offClosed = client.on('closed', (event) => (offClosed(), reject(Object.assign(new Error(`connection closed: ${(event as { code?: number }).code ?? '?'}`), { code: (event as { code?: number }).code }))));
  });
  return {
    client,
    send: (payload, settleMs = 300) =>
      new Promise<SocketReply>((resolve) => {
        const timer = setTimeout(() => resolve({ open: true }), settleMs);
        const done = (reply: SocketReply) => (clearTimeout(timer), resolve(reply));
        client.subscribe(payload, {
          next: (result) => done({ data: result.data, ...(result.errors ? { errors: result.errors as SocketReply['errors'] } : {}), open: false }),
          error: (error) => done({ errors: Array.isArray(error) ? error : [{ message: String((error as Error)?.message ?? error) }], open: false }),
          complete: () => done({ open: false }),
        });
      }),
    close: () => client.dispose() as Promise<void>,
  };
}

/** A WebSocket opened by hand (the `ws` package), speaking graphql-transport-ws without a GraphQL client. */
export interface RawSocket {
  /** The `next` payloads received, in order. */
  events: { data?: unknown; errors?: unknown[] }[];
  /** The connection_ack, or how the server closed the socket instead. */
  acknowledged: Promise<{ ack: true } | { ack: false; code: number; reason: string }>;
  subscribe(query: string, variables?: Record<string, unknown>): void;
  /** Resolves with the first event whose data matches `predicate` (or rejects after `timeoutMs`). */
  next(predicate: (data: unknown) => boolean, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/**
 * Opens /graphql with the headers a server-side client can set on the upgrade request (a browser
 * cannot), then sends connection_init with `payload` (connectionParams) or none.
 */
export function rawSocket(url: string, headers: Record<string, string>, payload?: Record<string, unknown>): RawSocket {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws', { headers });
  const events: RawSocket['events'] = [];
  const waiters: { predicate: (data: unknown) => boolean; resolve: (data: unknown) => void }[] = [];
  let ids = 0;
  const acknowledged = new Promise<{ ack: true } | { ack: false; code: number; reason: string }>((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) })));
    socket.on('close', (code, reason) => resolve({ ack: false, code, reason: reason.toString() }));
    socket.on('error', () => undefined);
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; payload?: { data?: unknown; errors?: unknown[] } };
      if (message.type === 'connection_ack') resolve({ ack: true });
      if (message.type !== 'next' || !message.payload) return;
      events.push(message.payload);
      for (const w of [...waiters]) if (w.predicate(message.payload.data)) w.resolve(message.payload.data);
    });
  });
  return {
    events,
    acknowledged,
    subscribe: (query, variables = {}) => socket.send(JSON.stringify({ id: String((ids += 1)), type: 'subscribe', payload: { query, variables } })),
    next(predicate, timeoutMs = 10_000) {
      const found = events.find((e) => predicate(e.data));
      if (found) return Promise.resolve(found.data);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`)), timeoutMs);
        waiters.push({ predicate, resolve: (data) => (clearTimeout(timer), resolve(data)) });
      });
    },
    close: () => socket.close(1000),
  };
}
