/** What the bridge is given, and the timings it works to (tests and benchmarks shorten or read them). */
import type { Clock } from '../clock.js';
import type { Directory } from '../directory.js';
import type { Groups } from '../groups.js';
import type { Logger } from '../logger.js';
import type { InboundMessage } from '../messages.js';
import type { Outbox } from '../outbox.js';
import type { CoreSettings } from '../settings.js';
import type { LongMessageStore } from './long-messages.js';

export interface BridgeTuning {
  /** Lines from one IRC sender are joined while they follow each other this closely... */
  readonly coalesceIdleMs: number;
  /** ...for at most this long after the first. */
  readonly coalesceMaxMs: number;
  /** Messages held per group and destination while its network is down. */
  readonly outageQueueLimit: number;
  /** Messages remembered for edits and replies. */
  readonly rememberedMessages: number;
  /** A reply to an older message quotes the start of it. */
  readonly oldReplyMs: number;
}

export const defaultTuning: BridgeTuning = {
  coalesceIdleMs: 100,
  coalesceMaxMs: 1000,
  outageQueueLimit: 200,
  rememberedMessages: 4096,
  oldReplyMs: 5 * 60_000,
};

export interface BridgeDeps {
  readonly groups: Groups;
  readonly directory: Directory;
  readonly outbox: Outbox;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: CoreSettings['bridge'];
  /** Who firebell's own messages are from, when a reply to one is relayed. */
  readonly botName: string;
  /** Base URL of firebell's HTTP listener (`bot.publicUrl`); without it long messages are only cut. */
  readonly publicUrl?: string | undefined;
  readonly longMessages: LongMessageStore;
  /** Runs a command as if its sender had typed it (a ✅ reaction acknowledges through it). */
  readonly runCommand: (message: InboundMessage) => void | Promise<void>;
  readonly tuning?: Partial<BridgeTuning>;
}
