/**
 * The one entry point for everything that arrives from a chat network. A message is relayed to the other
 * members of its group (by the bridge, when one is wired) and, unless it is a notice or an edit, parsed for
 * a command; a command is dispatched to the handler that owns it and answered on every side of its group.
 */
import type { Clock } from './clock.js';
import type { Directory } from './directory.js';
import type { Groups } from './groups.js';
import type { InboundLedger } from './inbound.js';
import type { BatchRefusal } from './journal.js';
import type { Logger } from './logger.js';
import type {
  InboundMessage,
  InboundReaction,
  MembershipChange,
  OutboundMessage,
  PersonRef,
  Priority,
} from './messages.js';
import type { ConnectionState } from './network.js';
import type { Speaker } from './outbox.js';
import { rich, text, type RichText } from './rich-text.js';
import type { CommandContext, CommandHandler, CommandHandlers } from './commands/handler.js';
import { parseCommand, usageLine, type Command } from './commands/parse.js';
import { NearMisses } from './commands/near-misses.js';
import { PAUSE_NOTICE, StrangerReplies } from './commands/stranger-replies.js';

export interface Relay {
  /** Passes ordinary chat on to the other members of its group. */
  relay(message: InboundMessage): void;
  /** May resolve once what the reaction caused is committed. */
  reaction?(reaction: InboundReaction): Promise<void> | void;
  membership?(change: MembershipChange): void;
  /** What an adapter sent, with the network's ids for it (to relate later edits, replies and reactions). */
  delivered?(message: OutboundMessage, messageIds: readonly string[]): void;
  /** A network's connection changed (the bridge holds a down network's share and replays it on recovery). */
  connection?(network: string, state: ConnectionState, at: number): void;
  /** Clears the relay's timers (firebell is stopping). */
  stop?(): void;
}

export interface RouterDeps {
  readonly groups: Groups;
  readonly directory: Directory;
  readonly speaker: Speaker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly handlers: readonly CommandHandlers[];
  readonly relay?: Relay;
  /** See every inbound message first (the statusbot watches for another statusbot's notices). */
  readonly watchers?: readonly ((message: InboundMessage) => void)[];
  /** Handles each message once, and resolves after its handling is committed (inbound.ts). */
  readonly ledger: InboundLedger;
  /** The incident whose announcement `root` is on `network` (a command typed in its Matrix thread). */
  readonly threadIncident?: (network: string, root: string) => number | undefined;
  /** Signs the answer to a private message that is no command. Default: firebell. */
  readonly botName?: string;
}

export class Router {
  private readonly handlers: CommandHandlers;
  private readonly nearMisses: NearMisses;
  private readonly strangers = new StrangerReplies();

  constructor(private readonly deps: RouterDeps) {
    this.handlers = Object.assign({}, ...deps.handlers) as CommandHandlers;
    this.nearMisses = new NearMisses(deps.botName ?? 'firebell');
  }

  /**
   * Handles one inbound message; resolves once what it caused is committed. Never throws: a failing
   * handler is logged and answered with an apology.
   */
  handleMessage(message: InboundMessage): Promise<void> {
    return this.deps.ledger.handle(
      message,
      () => this.dispatch(message),
      (refusal) => this.contextFor(message).reply(notStoredAnswer(refusal)),
    );
  }

  private async dispatch(message: InboundMessage): Promise<void> {
    for (const watch of this.deps.watchers ?? []) {
      try {
        watch(message);
      } catch (error) {
        this.deps.logger.error({ err: error }, 'a message watcher failed');
      }
    }
    const parsed =
      message.style === 'notice' || message.editOf ? ({ kind: 'none' } as const) : parseCommand(message.text);
    if (parsed.kind === 'none') {
      this.deps.relay?.relay(message);
      const answer = this.nearMisses.answer(message, this.deps.clock.now());
      if (answer) this.contextFor(message).reply(answer);
      return;
    }
    const context = this.contextFor(message);
    if (parsed.kind === 'usage') {
      context.reply(usageLine(parsed));
      return;
    }
    const handler = this.handlers[parsed.command.name] as CommandHandler<Command> | undefined;
    if (!handler) {
      context.reply(`${parsed.command.name} is not available in this firebell.`);
      return;
    }
    const log = this.deps.logger.child({
      command: parsed.command.name,
      network: message.conversation.network,
    });
    try {
      await handler(parsed.command, context);
      log.info(
        { by: context.actor.name, account: context.actor.account, conversation: message.conversation.id },
        `command ${parsed.command.name}`,
      );
    } catch (error) {
      log.error({ err: error }, 'command failed');
      context.reply('Sorry, that failed inside firebell; the error is in its log.');
    }
  }

  handleReaction(reaction: InboundReaction): Promise<void> | void {
    return this.deps.relay?.reaction?.(reaction);
  }

  handleMembership(change: MembershipChange): void {
    this.deps.relay?.membership?.(change);
  }

  handleDelivered(message: OutboundMessage, messageIds: readonly string[]): void {
    this.deps.relay?.delivered?.(message, messageIds);
  }

  handleConnection(network: string, state: ConnectionState, at: number): void {
    this.deps.relay?.connection?.(network, state, at);
  }

  private contextFor(message: InboundMessage): CommandContext {
    const network = message.conversation.network;
    const group = this.deps.groups.of(message.conversation);
    const asker = message.sender.name;
    const spared = this.strangerAllowance(message);
    const reply = (body: RichText | string, priority: Priority = 'urgent'): void => {
      const allowed = spared(body);
      if (allowed === undefined) return;
      const content = typeof allowed === 'string' ? [text(allowed)] : allowed;
      // Addressed to the asker, as IRC bots do, so a reply seen on the other side makes sense.
      const addressed = message.conversation.direct ? content : rich(`${asker}: `, content);
      this.deps.speaker.reply(message.conversation, addressed, {
        priority,
        purpose: 'reply',
        ...(message.messageId === undefined ? {} : { replyTo: message.messageId }),
        // Asked in a thread, answered in it.
        ...(message.threadRoot === undefined ? {} : { threadRoot: message.threadRoot.messageId }),
      });
    };
    const threadIncident =
      message.threadRoot && this.deps.threadIncident?.(network, message.threadRoot.messageId);
    return {
      message,
      network,
      ...(threadIncident === undefined ? {} : { threadIncident }),
      actor: this.deps.directory.actorOf(network, message.sender),
      group,
      at: this.deps.clock.now(),
      reply: (body) => reply(body),
      replyPrivately: (body, priority = 'normal') => {
        if (message.conversation.direct) return reply(body, priority);
        const allowed = spared(body);
        if (allowed === undefined) return;
        const content = typeof allowed === 'string' ? [text(allowed)] : allowed;
        this.deps.speaker.toPerson(network, this.senderAsPerson(message), content, {
          priority,
          purpose: 'reply',
        });
      },
    };
  }

  /**
   * What the sender may be answered (stranger-replies.ts): anything, for a verified contact or on the
   * shell (the operator's own console); for a stranger, the answer while their allowance lasts, then the
   * pause notice once, then nothing.
   */
  private strangerAllowance(
    message: InboundMessage,
  ): (body: RichText | string) => RichText | string | undefined {
    const network = message.conversation.network;
    const known =
      this.deps.directory.kindOf(network) === 'shell' ||
      this.deps.directory.contactOf(network, message.sender) !== undefined;
    if (known) return (body) => body;
    return (body) => {
      switch (this.strangers.take(network, message.sender.id, this.deps.clock.now())) {
        case 'answer':
          return body;
        case 'pause-notice':
          return PAUSE_NOTICE;
        case 'silent':
          return undefined;
      }
    };
  }

  /** Where a private answer to the sender goes on the network they wrote from. */
  private senderAsPerson(message: InboundMessage): PersonRef {
    const { sender } = message;
    switch (this.deps.directory.kindOf(message.conversation.network)) {
      case 'matrix':
        return { name: sender.name, matrix: { userId: sender.id } };
      case 'shell':
        return { name: sender.name, shell: { user: sender.id } };
      default:
        return {
          name: sender.name,
          irc: { nick: sender.id, ...(sender.account === undefined ? {} : { account: sender.account }) },
        };
    }
  }
}

/** What the author of a message hears when the store refused what handling it wrote. */
function notStoredAnswer(refusal: BatchRefusal): string {
  const incidents = refusal.incidents.map((id) => `#${id}`).join(', ');
  const quarantined =
    refusal.incidents.length === 0
      ? ''
      : ` ${refusal.incidents.length === 1 ? 'Incident' : 'Incidents'} ${incidents} ${refusal.incidents.length === 1 ? 'is' : 'are'} quarantined.`;
  return `That could not be stored (${refusal.reason}), so it did not happen.${quarantined} Please tell firebell's operators.`;
}
