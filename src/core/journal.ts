/**
 * The one commit path. Every durable write of the core (incident transitions, effects performed, outbox
 * rows and their outcomes, inbound messages marked handled, key-value and status writes) is recorded here,
 * and everything recorded in one tick goes to the store as one batch: one transaction, one fsync. What
 * must wait for the commit (handing deliveries to their channels, resolving an inbound message's promise,
 * logging a transition) is registered with the write and runs only after the commit succeeded, in the
 * order it was recorded. So nothing is said in chat before the words are stored.
 *
 * Holds: work that writes in several steps (a command's handling, an incident's effects) holds the batch
 * open until it is done, so all its writes commit together; a hold that outlives `holdTimeoutMs` is let go
 * with a warning, so a hung handler cannot stall every commit.
 *
 * Failures: a commit that fails is retried with backoff (100 ms doubling to 30 s, forever) together with
 * whatever was recorded meanwhile, in order. The failure is logged once when it starts (and again if the
 * reason changes), its recovery once, and `health()` says "failing since T: reason" meanwhile.
 *
 * Commits run one at a time; writes recorded while one is in flight form the next batch.
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { emptyBatch, type StatusEntry, type Store, type StoreBatch } from './store.js';
import { errorMessage } from './error-message.js';

type ListKey = {
  [K in keyof StoreBatch]-?: StoreBatch[K] extends readonly unknown[] ? K : never;
}[keyof StoreBatch];

/** Writes to add to the batch: any of its lists, the alert, a prune. */
export type Writes = { readonly [K in ListKey]?: StoreBatch[K] } & {
  readonly alert?: StatusEntry | null;
  readonly prune?: StoreBatch['prune'];
};

export type StoreHealth =
  | { readonly ok: true }
  | { readonly ok: false; readonly since: number; readonly reason: string; readonly attempts: number };

export interface JournalOptions {
  /** First wait after a failed commit; doubles up to `retryMaxMs`. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** How long one hold may keep the batch open. */
  readonly holdTimeoutMs?: number;
}

export const DEFAULT_JOURNAL_OPTIONS: Required<JournalOptions> = {
  retryBaseMs: 100,
  retryMaxMs: 30_000,
  holdTimeoutMs: 5_000,
};

const LIST_KEYS: ReadonlySet<string> = new Set<ListKey>([
  'transitions',
  'effectsDone',
  'quarantines',
  'deliveries',
  'deliveryUpdates',
  'handled',
  'keyValues',
  'savedTopics',
  'statusHistory',
  'longMessages',
  'usedAckLinks',
]);

/** A batch being filled: its writes, what runs after its commit, and who waits for it. */
class OpenBatch {
  readonly lists = new Map<ListKey, unknown[]>();
  alert: { readonly value: StatusEntry | null } | undefined;
  prune: StoreBatch['prune'];
  writes = 0;
  readonly after: Array<() => void> = [];
  readonly waiters: Array<() => void> = [];

  add(writes: Writes): void {
    // The keys `writes` has (one or two, nearly always), not every list the batch can hold.
    for (const key in writes) {
      if (!LIST_KEYS.has(key)) continue;
      const items = writes[key as ListKey] as readonly unknown[] | undefined;
      if (!items || items.length === 0) continue;
      const list = this.lists.get(key as ListKey);
      if (list) list.push(...items);
      else this.lists.set(key as ListKey, [...items]);
      this.writes += items.length;
    }
    if (writes.alert !== undefined) {
      this.alert = { value: writes.alert };
      this.writes += 1;
    }
    if (writes.prune) {
      this.prune = writes.prune;
      this.writes += 1;
    }
  }

  /** Appends a later batch (the failed one absorbs what came after it, keeping the order). */
  absorb(later: OpenBatch): void {
    for (const [key, items] of later.lists) this.add({ [key]: items } as Writes);
    if (later.alert) this.add({ alert: later.alert.value });
    if (later.prune) this.add({ prune: later.prune });
    this.after.push(...later.after);
    this.waiters.push(...later.waiters);
  }

  get empty(): boolean {
    return this.writes === 0 && this.after.length === 0;
  }

  toStoreBatch(at: number): StoreBatch {
    // emptyBatch makes a new object each time: it is this batch's to fill in.
    const batch = emptyBatch(at) as unknown as Record<string, unknown>;
    for (const [key, items] of this.lists) batch[key] = items;
    if (this.alert) batch.alert = this.alert.value;
    if (this.prune) batch.prune = this.prune;
    return batch as unknown as StoreBatch;
  }
}

export class Journal {
  private readonly options: Required<JournalOptions>;
  private current = new OpenBatch();
  private inFlight: OpenBatch | undefined;
  private holds = 0;
  private scheduled = false;
  private retryTimer: unknown;
  private failure: { since: number; reason: string; attempts: number } | undefined;
  private stopped = false;
  private readonly quietWaiters: Array<() => void> = [];
  /** Who waits for `flush`: woken when nothing is left to commit, or when an attempt failed. */
  private readonly flushWaiters: Array<() => void> = [];
  /** Successful commits (benchmarks and tests count them). */
  commits = 0;
  private readonly commitWatchers: Array<(batch: StoreBatch) => void> = [];

  constructor(
    private readonly store: Pick<Store, 'commit'>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    options: JournalOptions = {},
  ) {
    this.options = { ...DEFAULT_JOURNAL_OPTIONS, ...options };
  }

  /** Adds writes to the next commit; `afterCommit` runs once they are stored. */
  record(writes: Writes, afterCommit?: () => void): void {
    this.current.add(writes);
    if (afterCommit) this.current.after.push(afterCommit);
    this.schedule();
  }

  /**
   * Calls `watcher` with every batch the store took, before the work that waited for it runs: what is said
   * in chat after a commit comes after every watcher has seen it (the status site forgets what it read).
   */
  watchCommits(watcher: (batch: StoreBatch) => void): void {
    this.commitWatchers.push(watcher);
  }

  /** Runs `callback` after everything recorded so far is committed (at once if nothing is waiting). */
  afterCommit(callback: () => void): void {
    if (this.current.empty && !this.inFlight) callback();
    else this.record({}, callback);
  }

  /**
   * Keeps the batch from committing until the returned release is called (or `holdTimeoutMs` passed), so
   * that everything a piece of work writes commits together. Release it exactly once; later calls are no-ops.
   */
  hold(what = 'work'): () => void {
    this.holds += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      this.clock.clearTimeout(timer);
      this.holds -= 1;
      this.schedule();
    };
    const timer = this.clock.setTimeout(() => {
      if (released) return;
      this.logger.warn(
        { what, holdMs: this.options.holdTimeoutMs },
        'a hold on the journal outlived its limit; committing without waiting for it',
      );
      release();
    }, this.options.holdTimeoutMs);
    return release;
  }

  /** Resolves once everything recorded before the call is committed. */
  barrier(): Promise<void> {
    const batch = !this.current.empty ? this.current : this.inFlight;
    if (!batch) return Promise.resolve();
    return new Promise((resolve) => batch.waiters.push(resolve));
  }

  /**
   * Resolves once nothing more happens without time passing: everything recorded is committed, or the
   * journal waits for its retry timer (tests on a simulated clock settle with this).
   */
  quiet(): Promise<void> {
    if (this.isQuiet()) return Promise.resolve();
    return new Promise((resolve) => this.quietWaiters.push(resolve));
  }

  private isQuiet(): boolean {
    return (
      !this.inFlight &&
      !this.scheduled &&
      (this.current.empty || this.retryTimer !== undefined || this.stopped)
    );
  }

  private wakeQuiet(): void {
    if (this.quietWaiters.length > 0 && this.isQuiet())
      for (const resolve of this.quietWaiters.splice(0)) resolve();
  }

  /** Writes recorded and not yet committed (in the open batch and the one in flight). */
  backlog(): number {
    return this.current.writes + (this.inFlight?.writes ?? 0);
  }

  health(): StoreHealth {
    return this.failure ? { ok: false, ...this.failure } : { ok: true };
  }

  /**
   * Commits what is recorded now: a failed commit is tried again at once rather than after its retry's
   * wait, which can outlast a stop's grace (a store that works again must not lose what it held back).
   * Resolves once nothing is left to commit, or once an attempt failed.
   */
  flush(): Promise<void> {
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.stopped || (this.current.empty && !this.inFlight)) return Promise.resolve();
    const flushed = new Promise<void>((resolve) => this.flushWaiters.push(resolve));
    this.pump();
    return flushed;
  }

  /** Stops retrying and committing; what was not committed is dropped (nothing of it was said). */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const left = this.backlog();
    if (left > 0) this.logger.warn({ writes: left }, 'stopping with writes the store has not taken');
    this.wakeFlush();
    this.wakeQuiet();
  }

  private wakeFlush(): void {
    for (const resolve of this.flushWaiters.splice(0)) resolve();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    // The next turn of the event loop, not a microtask: everything recorded while the loop handles the
    // input that is ready now (many webhook requests, many chat lines) shares one commit and one fsync.
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
      // Waiters that came while the turn was pending: pump() may have had nothing to start (a retry waits).
      this.wakeQuiet();
    });
  }

  private pump(): void {
    if (this.stopped || this.inFlight || this.retryTimer !== undefined || this.holds > 0) return;
    if (this.current.empty) {
      this.wakeQuiet();
      return;
    }
    const batch = this.current;
    this.current = new OpenBatch();
    this.inFlight = batch;
    const stored = batch.writes === 0 ? undefined : batch.toStoreBatch(this.clock.now());
    let committing: Promise<void>;
    try {
      committing = stored ? this.store.commit(stored) : Promise.resolve();
    } catch (error) {
      committing = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    committing.then(
      () => this.committed(batch, stored),
      (error: unknown) => this.failed(batch, error),
    );
  }

  private committed(batch: OpenBatch, stored: StoreBatch | undefined): void {
    this.inFlight = undefined;
    if (stored) this.commits += 1;
    if (this.failure) {
      const { since, attempts } = this.failure;
      this.failure = undefined;
      this.logger.warn(
        { failingMs: this.clock.now() - since, attempts, writes: batch.writes },
        'the store works again; what was held back is committed and goes out now',
      );
    }
    if (stored) for (const watcher of this.commitWatchers) this.runAfterCommit(() => watcher(stored));
    for (const callback of batch.after) this.runAfterCommit(callback);
    for (const resolve of batch.waiters) resolve();
    this.pump();
    if (!this.inFlight && this.current.empty) this.wakeFlush();
  }

  private runAfterCommit(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.logger.error({ err: error }, 'work after a commit failed');
    }
  }

  private failed(batch: OpenBatch, error: unknown): void {
    this.inFlight = undefined;
    batch.absorb(this.current);
    this.current = batch;
    const reason = errorMessage(error);
    const previous = this.failure;
    const attempts = (previous?.attempts ?? 0) + 1;
    this.failure = { since: previous?.since ?? this.clock.now(), reason, attempts };
    const wait = Math.min(
      this.options.retryMaxMs,
      this.options.retryBaseMs * 2 ** Math.min(attempts - 1, 30),
    );
    if (!previous || previous.reason !== reason)
      this.logger.error(
        { err: error, writes: batch.writes, retryMs: wait },
        `the store is failing (${reason}); nothing is said in chat until a commit succeeds; retrying`,
      );
    if (!this.stopped)
      this.retryTimer = this.clock.setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, wait);
    this.wakeFlush();
    this.wakeQuiet();
  }
}
