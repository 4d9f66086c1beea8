/**
 * A minimal Matrix client over fetch, for tests and benchmarks to act as a person through the real
 * HTTP API: send with transaction ids, and follow /sync with long-polls, waiting for a matching event.
 */
import type { Content } from './events.js';

export interface SyncedEvent {
  readonly roomId: string;
  readonly event: {
    readonly event_id: string;
    readonly type: string;
    readonly sender: string;
    readonly content: Content;
    readonly origin_server_ts: number;
  };
  /** performance.now() when the sync response carrying it arrived. */
  readonly receivedAt: number;
}

interface Waiter {
  readonly predicate: (event: SyncedEvent) => boolean;
  readonly resolve: (event: SyncedEvent) => void;
}

export class TestMatrixClient {
  private txn = 0;
  private since: string | undefined;
  private readonly seen: SyncedEvent[] = [];
  private readonly waiters = new Set<Waiter>();
  private abort: AbortController | undefined;
  private onEvent: ((event: SyncedEvent) => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly homeserver: string,
    private readonly token: string,
  ) {}

  async send(roomId: string, content: Content, type = 'm.room.message'): Promise<string> {
    this.txn += 1;
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/${encodeURIComponent(type)}/t${this.txn}`;
    const body = (await this.request('PUT', path, content)) as { event_id: string };
    return body.event_id;
  }

  /** Starts following /sync from now on (the first sync only establishes the position). */
  async follow(onEvent?: (event: SyncedEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    const first = (await this.request('GET', '/_matrix/client/v3/sync?timeout=0')) as { next_batch: string };
    this.since = first.next_batch;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = (async () => {
      while (!signal.aborted) {
        // One signal per request, tied to the loop's: fetch keeps a listener on the signal it is given, and
        // thousands of syncs on one long-lived signal pile them up.
        const request = new AbortController();
        const cancel = (): void => request.abort();
        signal.addEventListener('abort', cancel, { once: true });
        try {
          const query = `since=${encodeURIComponent(this.since ?? '')}&timeout=30000`;
          const body = (await this.request(
            'GET',
            `/_matrix/client/v3/sync?${query}`,
            undefined,
            request.signal,
          )) as SyncBody;
          this.take(body);
        } catch {
          if (signal.aborted) return;
        } finally {
          signal.removeEventListener('abort', cancel);
        }
      }
    })();
  }

  /** Resolves with the first event (already seen or yet to come) matching `predicate`. */
  waitFor(predicate: (event: SyncedEvent) => boolean, timeoutMs = 5000): Promise<SyncedEvent> {
    const found = this.seen.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching event within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(event);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets what was seen (a benchmark's next round). */
  forget(): void {
    this.seen.length = 0;
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  private take(body: SyncBody): void {
    const receivedAt = performance.now();
    this.since = body.next_batch;
    for (const [roomId, room] of Object.entries(body.rooms?.join ?? {})) {
      for (const event of room.timeline?.events ?? []) {
        const synced = { roomId, event, receivedAt };
        this.seen.push(synced);
        this.onEvent?.(synced);
        for (const waiter of [...this.waiters]) if (waiter.predicate(synced)) waiter.resolve(synced);
      }
    }
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const response = await fetch(`${this.homeserver}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(signal === undefined ? {} : { signal }),
    });
    const json = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }
}

interface SyncBody {
  readonly next_batch: string;
  readonly rooms?: {
    readonly join?: Record<string, { readonly timeline?: { readonly events?: SyncedEvent['event'][] } }>;
  };
}
