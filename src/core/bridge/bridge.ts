/**
 * The bridge: one conversation across every IRC channel and Matrix room of a group. The router hands it
 * every inbound message that is not a command; it relays it to the other members, each rendered for its
 * network (attribution, formatting, mentions, edits, replies, long messages), with `relayed: true` so the
 * Matrix adapter marks it on the wire and no firebell relays it again (IRC has no such mark: the echo guard,
 * which knows relayed lines by their network ids and their attribution, and the ignore patterns keep loops
 * out there). Commands and firebell's own output never pass through here
 * (the router answers commands on every side; announcements go natively to each member). The choices follow
 * what matrix-appservice-irc, heisenbridge and matterbridge do, and what their users complained about.
 */
import { parseCommand } from '../commands/parse.js';
import type { GroupMember } from '../groups.js';
import type {
  ConversationRef,
  InboundMessage,
  InboundReaction,
  MembershipChange,
  NetworkKind,
  OutboundMessage,
  Sender,
} from '../messages.js';
import type { ConnectionState } from '../network.js';
import { text, toPlainText, type RichText, type Segment } from '../rich-text.js';
import type { Relay } from '../router.js';
import { cap, displayName, MAX_NAME_LENGTH, noHighlight, RoomNames } from './attribution.js';
import { Lookalikes } from './lookalikes.js';
import { EchoGuard } from './echo-guard.js';
import { replyPrefix, type Pending, type Said, type TargetKind } from './said.js';
import { IgnorePatterns } from './ignore-patterns.js';
import { ReactionAcks } from './reaction-acks.js';
import { Coalescer, type Batch } from './coalescer.js';
import { attributed, cutMarker, ircLines, withMarker } from './irc-lines.js';
import { ContactMentions } from './mentions.js';
import { substitutionFor } from './message-diff.js';
import { OutageQueues, relayHeld } from './outage.js';
import { conversationKey, RelayedMessages, type RelayedMessage } from './relayed-messages.js';
import { isBlank, sanitizeRich, singleLine } from './sanitize.js';
import type { Group } from '../settings.js';

import { defaultTuning, type BridgeDeps, type BridgeTuning } from './bridge-deps.js';

export { defaultTuning, type BridgeDeps, type BridgeTuning } from './bridge-deps.js';

const REASON_LENGTH = 120;
const MATRIX_MAX_LENGTH = 60_000;

export class Bridge implements Relay {
  private readonly tuning: BridgeTuning;
  private readonly names = new RoomNames();
  private readonly messages: RelayedMessages;
  private readonly outgoing = new WeakMap<OutboundMessage, RelayedMessage>();
  private readonly mentions: ContactMentions;
  private readonly outage: OutageQueues;
  private readonly echoes = new EchoGuard();
  private readonly coalescer: Coalescer<Pending>;
  private readonly ignore: IgnorePatterns;
  private readonly reactions: ReactionAcks;
  private readonly lookalikes: Lookalikes;

  constructor(private readonly deps: BridgeDeps) {
    this.tuning = { ...defaultTuning, ...deps.tuning };
    this.messages = new RelayedMessages(this.tuning.rememberedMessages);
    this.mentions = new ContactMentions(deps.directory.contacts);
    this.outage = new OutageQueues(this.tuning.outageQueueLimit);
    this.coalescer = new Coalescer(deps.clock, (batch) => this.sendBatch(batch), {
      idleMs: this.tuning.coalesceIdleMs,
      maxMs: this.tuning.coalesceMaxMs,
      maxLength: MATRIX_MAX_LENGTH,
    });
    this.ignore = new IgnorePatterns(deps.config, deps.directory, deps.logger);
    this.reactions = new ReactionAcks(deps, this.ignore);
    this.lookalikes = new Lookalikes(deps.directory, deps.groups, this.names);
  }

  relay(message: InboundMessage): void {
    this.guarded('relay', () => this.relayMessage(message));
  }

  reaction(reaction: InboundReaction): Promise<void> {
    let acknowledging: Promise<void> | undefined;
    this.guarded('reaction', () => {
      acknowledging = this.reactions.acknowledge(reaction);
    });
    return acknowledging ?? Promise.resolve();
  }

  membership(change: MembershipChange): void {
    this.guarded('membership', () => this.relayMembership(change));
  }

  delivered(message: OutboundMessage, messageIds: readonly string[]): void {
    this.guarded('delivered', () => this.remember(message, messageIds));
  }

  connection(network: string, state: ConnectionState, at: number): void {
    this.guarded('connection', () => this.follow(network, state, at));
  }

  /** Relayed messages held for networks that are down (for tests and, later, metrics). */
  heldCount(): number {
    return this.outage.heldCount();
  }

  /** Sends what the coalescer holds and clears its timers. */
  stop(): void {
    this.coalescer.stop();
    const held = this.outage.heldCount();
    if (held > 0)
      this.deps.logger.warn({ held }, 'stopping with relayed messages held for a network that is down');
  }

  private relayMessage(message: InboundMessage): void {
    const source = message.conversation;
    const echo = this.echoes.echoOf(message, message.at);
    if (echo) {
      this.deps.logger.debug(
        { network: source.network, sender: message.sender.id, echo },
        'not relaying an echo',
      );
      return;
    }
    // Words for a channel's operators only are not for everyone in the other rooms.
    if (message.restricted || this.ignore.ignored(source.network, message.sender)) return;
    const group = this.deps.groups.of(source);
    if (!group?.relay) return;
    const kind = this.deps.directory.kindOf(source.network);
    const room = conversationKey(source.network, source.id);
    // IRC speakers too: a Matrix name made to look like theirs is told apart (lookalikes.ts).
    this.lookalikes.observe(room, source, message.sender);
    let content: RichText = sanitizeRich(message.rich ?? [text(message.text)]);
    if (isBlank(content)) return;
    const plain = toPlainText(content);
    if (message.editOf) {
      // The router never runs an edited command; the bridge does not show one either.
      if (parseCommand(plain).kind !== 'none') return;
      // Only its sender may edit a message (CS API "Validity of replacement events"); clients ignore others.
      const found = this.messages.find(source.network, message.editOf.messageId);
      const original = found?.senderId === message.sender.id ? found : undefined;
      if (original?.text === plain) return;
      const substitution = original && substitutionFor(original.text, plain);
      if (original) original.text = plain;
      content = substitution ? [text(substitution)] : [text('* '), ...content];
    }
    const entry: RelayedMessage = {
      network: source.network,
      conversation: source.id,
      senderId: message.sender.id,
      senderName: this.labelOf(kind, source, message.sender),
      senderKind: kind,
      at: message.at,
      text: plain,
      copies: new Map(),
    };
    if (message.messageId !== undefined && !message.editOf)
      this.messages.remember(source.network, source.id, message.messageId, entry);
    const said: Said = {
      message,
      group,
      kind,
      room,
      label: entry.senderName,
      content,
      entry,
      replied: message.replyTo && this.messages.find(source.network, message.replyTo.messageId),
      edited: message.editOf !== undefined,
    };
    for (const member of this.othersOf(group, source.network, source.id)) {
      switch (this.targetKind(member.network)) {
        case 'irc':
          this.toIrc(said, member);
          break;
        case 'matrix':
          this.toMatrix(said, member);
          break;
        case 'plain':
          this.toPlain(said, member);
          break;
      }
    }
  }

  private toIrc(said: Said, member: GroupMember): void {
    const nameOf = (userId: string): string | undefined => this.names.nameOf(said.room, userId);
    const content = this.mentions.forTarget(said.content, 'irc', nameOf);
    const lines = ircLines([...replyPrefix(said, member, 'irc', this.tuning.oldReplyMs), ...content]);
    const shown = withMarker(lines, this.deps.config.maxLines, (cut) => cutMarker(cut, this.pageFor(said)));
    const name = noHighlight(said.label);
    const prefix = said.message.style === 'emote' ? `* ${name} ` : `<${name}> `;
    const body = attributed(shown, prefix).flatMap((line, index): Segment[] => [
      ...(index > 0 ? [{ kind: 'line-break' } as const] : []),
      text(prefix),
      ...line,
    ]);
    this.send(said.group, member, body, said.message.style === 'notice' ? 'notice' : 'message', said.entry);
  }

  private toMatrix(said: Said, member: GroupMember): void {
    const nameOf = (userId: string): string | undefined => this.names.nameOf(said.room, userId);
    const fromMatrix = said.kind === 'matrix';
    const highlighted = fromMatrix
      ? said.content
      : this.mentions.highlightsToMentions(
          said.content,
          this.deps.groups.names.ircFold(said.message.conversation.network),
        );
    const content = this.mentions.forTarget(highlighted, 'matrix', nameOf);
    const source = `${said.room}\n${conversationKey(member.network, member.conversation)}`;
    const style = said.message.style;
    if (!fromMatrix && style !== 'emote' && !said.replied && !said.edited) {
      this.coalescer.add({
        source,
        senderId: said.message.sender.id,
        style,
        content,
        length: toPlainText(content).length,
        payload: { said, member },
      });
      return;
    }
    // Whatever this sender's channel still has pending goes first, so the order is kept.
    this.coalescer.flush(source);
    const replyTo = said.replied?.copies.get(conversationKey(member.network, member.conversation));
    const reply = replyTo === undefined ? replyPrefix(said, member, 'matrix', this.tuning.oldReplyMs) : [];
    const prefix = style === 'emote' ? `${said.label} ` : `<${said.label}> `;
    this.send(said.group, member, [text(prefix), ...reply, ...content], style, said.entry, replyTo);
  }

  private toPlain(said: Said, member: GroupMember): void {
    const content = this.mentions.forTarget(said.content, 'plain', (id) => this.names.nameOf(said.room, id));
    const prefix = said.message.style === 'emote' ? `* ${said.label} ` : `<${said.label}> `;
    const reply = replyPrefix(said, member, 'plain', this.tuning.oldReplyMs);
    const style = said.message.style === 'notice' ? 'notice' : 'message';
    this.send(said.group, member, [text(prefix), ...reply, ...content], style, said.entry);
  }

  /** Several IRC lines as one Matrix message: `<nick> ` once, the lines below each other. */
  private sendBatch(held: Batch<Pending>): void {
    // Looked at again after the hold: another relay's copy of a line can arrive before the original it
    // copies (two firebells in one room, one syncing faster); by now the original was relayed and is known.
    const lines = held.lines.filter(
      ({ payload: { said } }) => !this.echoes.echoOf(said.message, said.message.at),
    );
    const batch = { lines };
    const first = batch.lines[0];
    if (!first) return;
    const { said, member } = first.payload;
    const body: Segment[] = [text(`<${said.label}> `)];
    batch.lines.forEach((line, index) => {
      if (index > 0) body.push({ kind: 'line-break' });
      body.push(...line.content);
    });
    const entry: RelayedMessage =
      batch.lines.length === 1
        ? said.entry
        : {
            ...said.entry,
            text: batch.lines.map((line) => line.payload.said.entry.text).join('\n'),
            copies: new Map(),
          };
    this.send(said.group, member, body, first.style, entry);
  }

  /** The link to firebell's page with the full text, saved once per message; undefined without a URL. */
  private pageFor(said: Said): string | undefined {
    const base = this.deps.publicUrl;
    if (base === undefined) return undefined;
    said.longId ??= this.deps.longMessages.save({
      sender:
        said.kind === 'matrix'
          ? `${this.names.nameOf(said.room, said.message.sender.id) ?? said.label} (${said.message.sender.id})`
          : said.label,
      network: said.message.conversation.network,
      conversation: said.message.conversation.id,
      at: said.message.at,
      text: toPlainText(said.content),
    });
    return `${base.replace(/\/+$/, '')}/m/${said.longId}`;
  }

  private send(
    group: Group,
    member: GroupMember,
    body: RichText,
    style: OutboundMessage['style'],
    entry: RelayedMessage,
    replyTo?: string,
  ): void {
    const message: OutboundMessage & { to: { network: string; conversation: string } } = {
      to: { network: member.network, conversation: member.conversation },
      body,
      style,
      priority: 'relay',
      purpose: 'relay',
      relayed: true,
      ...(replyTo === undefined ? {} : { replyTo }),
    };
    this.outgoing.set(message, entry);
    this.echoes.recordMessage(message, this.deps.clock.now());
    if (this.outage.isDown(member.network)) this.outage.hold(group.id, message);
    else this.deps.outbox.send(message);
  }

  /** A ✅ on an announcement or page acknowledges it; resolves once that is committed. */
  private relayMembership(change: MembershipChange): void {
    const source = change.conversation;
    const group = this.deps.groups.of(source);
    if (!group?.relay) return;
    const kind = this.deps.directory.kindOf(source.network);
    const room = conversationKey(source.network, source.id);
    if (kind === 'matrix' && change.change === 'join') this.lookalikes.observe(room, source, change.sender);
    const label = this.labelOf(kind, source, change.sender);
    if (kind === 'matrix' && change.change !== 'join') this.names.forget(room, change.sender.id);
    if (!group.relayJoinsAndParts || change.netsplit || this.ignore.ignored(source.network, change.sender))
      return;
    const verb = { join: 'joined', part: 'left', quit: 'quit', kick: 'was kicked' }[change.change];
    const reason = change.reason === undefined ? '' : singleLine(change.reason);
    const tail = reason ? ` (${cap(reason, REASON_LENGTH)})` : '';
    const entry: RelayedMessage = {
      network: source.network,
      conversation: source.id,
      senderId: change.sender.id,
      senderName: label,
      senderKind: kind,
      at: change.at,
      text: '',
      copies: new Map(),
    };
    for (const member of this.othersOf(group, source.network, source.id)) {
      const name = this.targetKind(member.network) === 'irc' ? noHighlight(label) : label;
      this.send(group, member, [text(`* ${name} ${verb}${tail}`)], 'notice', entry);
    }
  }

  private remember(message: OutboundMessage, messageIds: readonly string[]): void {
    if ('person' in message.to) return;
    const { network, conversation } = message.to;
    if (message.relayed) {
      this.echoes.recordIds(network, messageIds);
      this.echoes.recordMessage(message, this.deps.clock.now());
    }
    this.reactions.remember(message, messageIds);
    // firebell's own messages are remembered too, so a reply to an announcement says whom it answers.
    const entry = this.outgoing.get(message) ?? {
      network,
      conversation,
      senderId: network,
      senderName: cap(singleLine(this.deps.botName), MAX_NAME_LENGTH),
      senderKind: undefined,
      at: this.deps.clock.now(),
      text: toPlainText(message.body),
      copies: new Map(),
    };
    for (const id of messageIds) this.messages.remember(network, conversation, id, entry);
  }

  private follow(network: string, state: ConnectionState, at: number): void {
    const recovery = this.outage.connection(network, state, at);
    if (recovery) relayHeld(network, recovery, this.deps.outbox, this.deps.logger);
  }

  private labelOf(kind: NetworkKind | undefined, source: ConversationRef, sender: Sender): string {
    if (kind !== 'matrix')
      return this.lookalikes.marked(source, sender, displayName(sender.name, sender.id) || '?');
    const besides = this.lookalikes.besides(source, sender);
    return this.names.label(conversationKey(source.network, source.id), sender.id, sender.name, besides);
  }

  private othersOf(group: Group, network: string, conversation: string): GroupMember[] {
    return group.members.filter(
      (member) =>
        !(
          member.network === network &&
          this.deps.groups.sameConversation(network, member.conversation, conversation)
        ),
    );
  }

  private targetKind(network: string): TargetKind {
    const kind = this.deps.directory.kindOf(network);
    return kind === 'irc' || kind === 'matrix' ? kind : 'plain';
  }

  /** The router does not catch what the relay throws; one bad message must not stop the relay. */
  private guarded(what: string, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.deps.logger.error({ err: error }, `bridge ${what} failed`);
    }
  }
}
