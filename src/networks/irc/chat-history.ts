/**
 * Before a line is written again (a delivery resent after a restart, or lines lost with a connection),
 * firebell looks in the server's history where the server offers IRCv3 chathistory, so the repeat that IRC
 * would otherwise allow does not happen there. One `CHATHISTORY AFTER <target> timestamp=<since> <limit>`
 * per resent delivery; a history line is ours when it carries our client tag with the delivery's id (the
 * line's index after the colon), or, where the server keeps no client tags, when it came from our nick
 * with the same text after the delivery was created. No answer within the timeout means "not found": the
 * line is written again (the documented repeat, once per crash or lost connection).
 *
 * Lines inside a chathistory batch are old messages: they are consumed here and never reach the core as
 * inbound messages or as echoes, whoever asked for them.
 */
import type { IrcMessage } from 'irc-framework';
import type { Clock } from '../../core/clock.js';
import type { Lane } from '../../core/delivery.js';
import type { CaseFold } from '../../core/casemapping.js';
import type { Logger } from '../../core/logger.js';
import { DELIVERY_TAG, parseDeliveryTag } from './line-confirmations.js';
import type { FrameworkConnection } from './irc-framework-adapter.js';
import type { HandlerTable } from './line-dispatcher.js';

/** The capabilities to ask for (the draft name until the spec is ratified, and the final one). */
export const CHATHISTORY_CAPS = ['draft/chathistory', 'chathistory'];
/** Our lines may carry a server time a little before the delivery's creation (clock skew). */
const CLOCK_SLACK_MS = 60_000;
const DEFAULT_LIMIT = 100;

export interface HistoryQuery {
  readonly target: string;
  readonly deliveryId: string;
  /** When the delivery was created: none of its lines can be older. */
  readonly since: number;
  /** The lines to look for: index and the text after the colon, as written. */
  readonly lines: readonly { readonly index: number; readonly text: string }[];
}

/** The indices of the lines found, each with the server's message id when it gave one. */
export type FoundLines = ReadonlyMap<number, string | undefined>;

export interface ChatHistoryHooks {
  /** Queues the CHATHISTORY line in `lane`; `written` is called when it went to the socket. */
  send(line: string, lane: Lane, written: () => void): void;
  /** The nicks our lines may have come from (the configured one, the alternates, the current one). */
  ourNicks(): readonly string[];
  fold(): CaseFold;
}

interface Pending {
  readonly query: HistoryQuery;
  readonly targetKey: string;
  readonly resolve: (found: FoundLines) => void;
  timer: unknown;
}

export class ChatHistory {
  /** Open chathistory batches by reference, with what they carried so far. */
  private readonly batches = new Map<string, { target: string; messages: IrcMessage[] }>();
  private pending: Pending[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly hooks: ChatHistoryHooks,
  ) {}

  /** Whether the connection offers history to look in. */
  available(connection: FrameworkConnection | undefined): boolean {
    if (!connection?.connected || !connection.capEnabled('batch')) return false;
    return CHATHISTORY_CAPS.some((cap) => connection.capEnabled(cap));
  }

  /** Looks for the lines of a delivery in the target's history; resolves with those found. */
  find(connection: FrameworkConnection, query: HistoryQuery, lane: Lane): Promise<FoundLines> {
    const advertised = Number(connection.supports('CHATHISTORY'));
    const limit =
      Number.isInteger(advertised) && advertised > 0 ? Math.min(advertised, DEFAULT_LIMIT) : DEFAULT_LIMIT;
    const since = new Date(query.since - CLOCK_SLACK_MS).toISOString();
    return new Promise((resolve) => {
      const entry: Pending = { query, targetKey: this.hooks.fold()(query.target), resolve, timer: undefined };
      this.pending.push(entry);
      this.hooks.send(`CHATHISTORY AFTER ${query.target} timestamp=${since} ${limit}`, lane, () => {
        if (!this.pending.includes(entry)) return;
        entry.timer = this.clock.setTimeout(() => {
          this.log.warn(
            { target: query.target },
            `no chathistory answer for ${query.target}; writing the line again (it may repeat)`,
          );
          this.settle(entry, new Map());
        }, this.timeoutMs);
      });
    });
  }

  handlers(): HandlerTable {
    const inHistory = (message: IrcMessage): boolean => {
      const batch = this.batches.get(message.tags.batch ?? '');
      if (!batch) return false;
      batch.messages.push(message);
      return true;
    };
    return {
      BATCH: (message) => this.batch(message),
      PRIVMSG: inHistory,
      NOTICE: inHistory,
      FAIL: (message) => {
        if (message.params[0] !== 'CHATHISTORY') return false;
        // FAIL CHATHISTORY <code> <command or target...> :description: answer the oldest question.
        const oldest = this.pending[0];
        if (oldest) this.settle(oldest, new Map());
        this.log.warn({ reply: message.params.join(' ') }, 'the server refused a chathistory query');
        return true;
      },
    };
  }

  /** The connection ended: questions unanswered count as "not found". */
  connectionLost(): void {
    this.batches.clear();
    for (const entry of [...this.pending]) this.settle(entry, new Map());
  }

  private batch(message: IrcMessage): boolean {
    const [reference = '', type, target = ''] = message.params;
    if (reference.startsWith('+')) {
      if (type !== 'chathistory') return false;
      this.batches.set(reference.slice(1), { target, messages: [] });
      return true;
    }
    const batch = this.batches.get(reference.slice(1));
    if (!batch) return false;
    this.batches.delete(reference.slice(1));
    const key = this.hooks.fold()(batch.target);
    const entry = this.pending.find((candidate) => candidate.targetKey === key);
    if (entry) this.settle(entry, this.match(entry.query, batch.messages));
    return true;
  }

  private match(query: HistoryQuery, messages: readonly IrcMessage[]): FoundLines {
    const fold = this.hooks.fold();
    const ours = new Set(this.hooks.ourNicks().map((nick) => fold(nick)));
    const found = new Map<number, string | undefined>();
    for (const message of messages) {
      const tag = message.tags[DELIVERY_TAG];
      const tagged = tag === undefined ? undefined : parseDeliveryTag(tag);
      if (tagged) {
        if (tagged.id === query.deliveryId) found.set(tagged.index, message.tags.msgid);
        continue;
      }
      const time = Date.parse(message.tags.time ?? '');
      if (!ours.has(fold(message.nick)) || !(time >= query.since - CLOCK_SLACK_MS)) continue;
      const text = message.params[message.params.length - 1];
      const line = query.lines.find((candidate) => candidate.text === text && !found.has(candidate.index));
      if (line) found.set(line.index, message.tags.msgid);
    }
    return found;
  }

  private settle(entry: Pending, found: FoundLines): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    this.pending = this.pending.filter((candidate) => candidate !== entry);
    entry.resolve(found);
  }
}
