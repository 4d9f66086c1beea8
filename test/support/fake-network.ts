/**
 * A ChatNetwork for tests of the core: records what firebell sends and lets a test type as a user.
 */
import type { Delivery, DeliveryOutcome } from '../../src/core/delivery.js';
import type { InboundMessage, NetworkKind, OutboundMessage, Sender } from '../../src/core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../src/core/network.js';
import { toPlainText } from '../../src/core/rich-text.js';

export class FakeNetwork implements ChatNetwork {
  readonly sent: OutboundMessage[] = [];
  readonly topics = new Map<string, string>();
  /** Announcements edited (a Matrix-kind fake takes edits; the others refuse them, as IRC does). */
  readonly edits: Array<{ conversation: string; target: string | undefined; text: string }> = [];
  /** What was sent while the network was down: held, as the real adapters hold it, until `up()`. */
  readonly held: Array<{ message: OutboundMessage; settle: (outcome: DeliveryOutcome) => void }> = [];
  private isDown = false;
  private events: NetworkEvents | undefined;
  private state: ConnectionState = 'disconnected';
  private sequence = 0;

  constructor(
    readonly id: string,
    readonly kind: NetworkKind,
    private readonly now: () => number,
  ) {}

  async start(events: NetworkEvents): Promise<void> {
    this.events = events;
    this.state = 'connected';
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    if (content.kind === 'offchat')
      return { status: 'refused', at: this.now(), reason: 'a fake chat network carries no off-chat pages' };
    if (content.kind === 'topic') {
      const result = await this.setTopic(content.conversation, content.topic);
      return result.ok
        ? { status: 'delivered', at: this.now(), receipt: [] }
        : { status: 'refused', at: this.now(), reason: result.reason };
    }
    if (content.kind === 'edit') {
      if (this.kind !== 'matrix') return { status: 'refused', at: this.now(), reason: 'no edits here' };
      this.edits.push({
        conversation: content.conversation,
        target: content.target,
        text: toPlainText(content.body),
      });
      return { status: 'delivered', at: this.now(), receipt: [`${this.id}-edit-${(this.sequence += 1)}`] };
    }
    return new Promise((settle) => this.send(content.message, settle));
  }

  send(message: OutboundMessage, settle: (outcome: DeliveryOutcome) => void = () => undefined): void {
    if (this.isDown) {
      this.held.push({ message, settle });
      return;
    }
    this.sent.push(message);
    settle({ status: 'delivered', at: this.now(), receipt: [`${this.id}-out-${(this.sequence += 1)}`] });
  }

  async getTopic(conversation: string): Promise<string | undefined> {
    return this.topics.get(conversation);
  }

  async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    this.topics.set(conversation, topic);
    return { ok: true };
  }

  /** Types a message as `sender` in `conversation` (a channel, or `direct` for a private message). */
  type(
    conversation: string,
    sender: Sender,
    text: string,
    options: { direct?: boolean; style?: InboundMessage['style'] } = {},
  ): void {
    this.events?.message({
      conversation: { network: this.id, id: conversation, direct: options.direct ?? false },
      sender,
      text,
      style: options.style ?? 'message',
      at: this.now(),
      messageId: `${this.id}-in-${(this.sequence += 1)}`,
    });
  }

  /** What was sent, as plain text lines `where: text`. */
  lines(): string[] {
    return this.sent.map((message) => {
      const where = 'person' in message.to ? `@${message.to.person.name}` : message.to.conversation;
      return `${where}: ${toPlainText(message.body)}`;
    });
  }

  down(): void {
    this.isDown = true;
    this.state = 'disconnected';
    this.events?.connection?.('disconnected', this.now());
  }

  up(): void {
    this.isDown = false;
    this.state = 'connected';
    this.events?.connection?.('connected', this.now());
    for (const { message, settle } of this.held.splice(0)) this.send(message, settle);
  }

  clear(): void {
    this.sent.length = 0;
  }
}

export const ircUser = (nick: string, account?: string): Sender =>
  account === undefined
    ? { id: nick, name: nick, verification: 'none' }
    : { id: nick, name: nick, account, verification: 'services' };

export const matrixUser = (userId: string, name: string): Sender => ({
  id: userId,
  name,
  account: userId,
  verification: 'homeserver',
});
