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
 * reason changes), its recovery once, and `health()` says "failing since T: reason" meanwhile. A failure
 * the store says the batch's content causes (a `RefusedBatchError`: a constraint, a value it cannot take)
 * would fail forever and hold back every later write, so once it repeats the batch is committed unit by
 * unit around the refused unit (refused-writes.ts), which is dropped: its `after` never runs, its
 * `refused` callback and the `onRefused` listeners are told (the incident service quarantines the
 * incident it concerns), later units about that incident are dropped with it, and `health()` counts it.
 * Failures that come and go (the connection, a busy or full disk, a fenced instance) are retried as ever.
 *
 * Commits run one at a time; writes recorded while one is in flight form the next batch.
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { RefusedBatchError, type Store, type StoreBatch } from './store.js';
import { errorMessage } from './error-message.js';
import {
  describeUnit,
  hasWrites,
  OpenBatch,
  type BatchRefusal,
  type RecordUnit,
  type Writes,
} from './journal-batch.js';
import { JournalRefusals, type RefusedUnit, type RefusedWrites } from './journal-refusals.js';
import { commitAroundRefused } from './refused-writes.js';

export type { BatchRefusal, Writes } from './journal-batch.js';

export type { RefusedUnit, RefusedWrites } from './journal-refusals.js';

export type StoreHealth = (
  | { readonly ok: true }
  | { readonly ok: false; readonly since: number; readonly reason: string; readonly attempts: number }
) & { readonly refused?: RefusedWrites };

export interface JournalOptions {
  /** First wait after a failed commit; doubles up to `retryMaxMs`. */
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** How long one hold may keep the batch open. */
  readonly holdTimeoutMs?: number;
  /**
   * How many times in a row the store refuses a batch for the same reason before the journal commits its
   * units around the refused one (refused-writes.ts): a refusal may pass once (a race between instances).
   */
  readonly refusalsBeforeDropping?: number;
}

export const DEFAULT_JOURNAL_OPTIONS: Required<JournalOptions> = {
  retryBaseMs: 100,
  retryMaxMs: 30_000,
  holdTimeoutMs: 5_000,
  refusalsBeforeDropping: 2,
};

export class Journal {
  private readonly options: Required<JournalOptions>;
  private current = new OpenBatch();
  private inFlight: OpenBatch | undefined;
  private holds = 0;
  private scheduled = false;
  private retryTimer: unknown;
  private failure: { since: number; reason: string; attempts: number; refusals: number } | undefined;
  private readonly refusals: JournalRefusals;
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
    this.refusals = new JournalRefusals(clock, logger);
  }

  /**
   * Adds writes to the next commit; `afterCommit` runs once they are stored. Should the store refuse them
   * for what they hold, they are dropped: `afterCommit` never runs, `refused` is told why.
   */
  record(writes: Writes, afterCommit?: () => void, refused?: (reason: string) => void): void {
    const unit = { writes, ...(afterCommit ? { after: afterCommit } : {}), ...(refused ? { refused } : {}) };
    const cause = this.refusals.follows(unit);
    // Its barrier's batch hears of it (nothing waits when nothing is pending).
    if (cause) return this.drop(!this.current.empty ? this.current : this.inFlight, unit, cause);
    this.current.add(unit);
    this.schedule();
  }

  /**
   * Calls `watcher` with every batch the store took, before the work that waited for it runs: what is said
   * in chat after a commit comes after every watcher has seen it (the status site forgets what it read).
   */
  watchCommits(watcher: (batch: StoreBatch) => void): void {
    this.commitWatchers.push(watcher);
  }

  /** `listener` hears of each unit the store refused and the journal dropped. */
  onRefused(listener: (refused: RefusedUnit) => void): void {
    this.refusals.listen(listener);
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

  /**
   * Resolves once everything recorded before the call is committed or dropped: with the refusal of the
   * first unit dropped among those it waited for (the person whose command it was must hear that it was
   * not stored), or with nothing when all were stored. Units recorded in the same batch after the call
   * count too: the journal cannot tell them apart.
   */
  barrier(): Promise<BatchRefusal | undefined> {
    const batch = !this.current.empty ? this.current : this.inFlight;
    if (!batch) return Promise.resolve(undefined);
    return new Promise((resolve) => batch.waiters.push(resolve));
  }

  /** Drops a refused unit, and tells the waiters of `batch`, the batch it was recorded in, why. */
  private drop(batch: OpenBatch | undefined, unit: RecordUnit, error: RefusedBatchError): void {
    if (batch)
      batch.refusal ??= { reason: errorMessage(error), incidents: describeUnit(unit.writes).incidents };
    this.refusals.drop(unit, error);
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
    const refused = this.refusals.tally ? { refused: this.refusals.tally } : {};
    if (!this.failure) return { ok: true, ...refused };
    const { since, reason, attempts } = this.failure;
    return { ok: false, since, reason, attempts, ...refused };
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
    this.commitBatch(batch).then(
      (stored) => this.committed(batch, stored),
      (error: unknown) => this.failed(batch, error),
    );
  }

  /** Commits `batch`; resolves with what the store took, or nothing when it held no writes. */
  private commitBatch(batch: OpenBatch): Promise<StoreBatch | undefined> {
    try {
      if (batch.writes === 0) return Promise.resolve(undefined);
      const stored = batch.toStoreBatch(this.clock.now());
      return this.store.commit(stored).then(() => stored);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
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
    this.tellWatchers(stored);
    this.runAfter(batch.units);
    for (const resolve of batch.waiters) resolve(batch.refusal);
    this.pump();
    if (!this.inFlight && this.current.empty) this.wakeFlush();
  }

  private tellWatchers(stored: StoreBatch | undefined): void {
    if (!stored) return;
    for (const watcher of this.commitWatchers) {
      try {
        watcher(stored);
      } catch (error) {
        this.logger.error({ err: error }, 'a commit watcher failed');
      }
    }
  }

  private runAfter(units: readonly RecordUnit[]): void {
    for (const unit of units) {
      if (!unit.after) continue;
      try {
        unit.after();
      } catch (error) {
        this.logger.error({ err: error }, 'work after a commit failed');
      }
    }
  }

  private failed(batch: OpenBatch, error: unknown): void {
    const reason = errorMessage(error);
    const previous = this.failure;
    const attempts = (previous?.attempts ?? 0) + 1;
    // The same refusal again: what the batch holds causes it, not the store's state (a transient failure
    // between two refusals starts the count again).
    const refusals =
      error instanceof RefusedBatchError ? (previous?.reason === reason ? previous.refusals : 0) + 1 : 0;
    this.failure = { since: previous?.since ?? this.clock.now(), reason, attempts, refusals };
    if (refusals >= this.options.refusalsBeforeDropping && !this.stopped) {
      void this.commitAroundRefused(batch);
      return;
    }
    this.inFlight = undefined;
    batch.absorb(this.current);
    this.current = batch;
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

  /**
   * The batch stays in flight while its units are committed around the refused ones (refused-writes.ts);
   * what is recorded meanwhile waits in the next batch, so the order holds.
   */
  private async commitAroundRefused(batch: OpenBatch): Promise<void> {
    const stopped = await commitAroundRefused(batch.units, {
      commit: (units) =>
        this.stopped
          ? Promise.reject(new Error('the journal stopped'))
          : // The watchers hear of each part as it is stored, before its after-commit work runs.
            this.commitBatch(OpenBatch.of(units)).then((stored) => this.tellWatchers(stored)),
      stored: (units) => {
        if (units.some((unit) => hasWrites(unit.writes))) this.commits += 1;
        this.runAfter(units);
      },
      refused: (unit, error) => this.drop(batch, unit, error),
      follows: (unit) => this.refusals.follows(unit),
    });
    const rest = OpenBatch.of(stopped?.left ?? []);
    rest.waiters.push(...batch.waiters);
    rest.refusal = batch.refusal;
    if (stopped) this.failed(rest, stopped.error);
    else this.committed(rest, undefined);
  }
}
