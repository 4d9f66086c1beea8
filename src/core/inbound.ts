/**
 * Inbound messages: handled, then marked. A message is handled inside a journal hold, so everything its
 * handling writes (the transitions it caused, the replies it produced) and, for a message a network may
 * send again after a restart (`durableId`), the record that it was handled, commit together; the promise
 * the adapter got resolves only after that commit. A message whose `durableId` is already recorded is
 * skipped before any work. So a crash between a command and its commit re-runs it at the next start, and a
 * replay of one that was committed is harmless: a command runs once, never twice, never zero times.
 *
 * Handled marks are kept for `HANDLED_RETENTION_MS` (firebell prunes older ones; see firebell.ts): longer
 * than any replay a network does after a restart (Matrix replays from the last saved sync token, and
 * ignores events from before the bot started).
 */
import type { Clock } from './clock.js';
import type { BatchRefusal, Journal } from './journal.js';
import type { Logger } from './logger.js';
import type { InboundMessage } from './messages.js';
import type { Store } from './store.js';

/** Seven days. */
export const HANDLED_RETENTION_MS = 7 * 24 * 3_600_000;

export interface InboundLedgerDeps {
  readonly journal: Journal;
  readonly store: Pick<Store, 'handled'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class InboundLedger {
  /** Durable ids being handled or waiting for their commit, with that commit; the store knows older ones. */
  private readonly inProgress = new Map<string, Promise<void>>();
  private accepting = true;

  constructor(private readonly deps: InboundLedgerDeps) {}

  /**
   * Stops handling: what arrives from now on is not handled, and a message with a `durableId` is not
   * marked either (its promise never settles, so an adapter that waits for it keeps it for the next start).
   */
  stop(): void {
    this.accepting = false;
  }

  /**
   * Runs `handle` for the message unless it was handled before; resolves once that is committed. Should the
   * store refuse what it wrote, `refused` runs (it answers the author), and what it records is committed
   * before this resolves.
   */
  handle(
    message: InboundMessage,
    handle: () => Promise<void>,
    refused?: (refusal: BatchRefusal) => void,
  ): Promise<void> {
    const id = message.durableId;
    if (!this.accepting) return id === undefined ? Promise.resolve() : new Promise<void>(() => undefined);
    if (id === undefined) return this.run(undefined, handle, refused);
    const earlier = this.inProgress.get(id);
    if (earlier) {
      this.skip(id, 'the same message is being handled');
      // Settles with the first copy, so an adapter waiting for this one moves on only once it is stored.
      return earlier;
    }
    const running = this.handleOnce(id, handle, refused).finally(() => this.inProgress.delete(id));
    this.inProgress.set(id, running);
    return running;
  }

  private async handleOnce(
    id: string,
    handle: () => Promise<void>,
    refused?: (refusal: BatchRefusal) => void,
  ): Promise<void> {
    if (await this.wasHandled(id)) return this.skip(id, 'it was handled before');
    if (!this.accepting) return new Promise<void>(() => undefined);
    return this.run(id, handle, refused);
  }

  private async run(
    id: string | undefined,
    handle: () => Promise<void>,
    refused?: (refusal: BatchRefusal) => void,
  ): Promise<void> {
    const release = this.deps.journal.hold(id === undefined ? 'an inbound message' : `inbound ${id}`);
    try {
      await handle();
    } finally {
      if (id !== undefined)
        this.deps.journal.record({ handled: [{ durableId: id, at: this.deps.clock.now() }] });
      release();
    }
    const refusal = await this.deps.journal.barrier();
    if (!refusal || !refused) return;
    // The answer is its own unit, recorded after the drop: it is stored before it is said.
    refused(refusal);
    await this.deps.journal.barrier();
  }

  private async wasHandled(id: string): Promise<boolean> {
    try {
      return await this.deps.store.handled(id);
    } catch (error) {
      // Handling it is the lesser harm: a command answered twice beats one never answered.
      this.deps.logger.error(
        { err: error, durableId: id },
        'cannot tell whether a message was handled; handling it',
      );
      return false;
    }
  }

  private skip(id: string, why: string): void {
    this.deps.logger.debug({ durableId: id }, `not handling a message again: ${why}`);
  }
}
