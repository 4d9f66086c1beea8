/**
 * Where outbound messages go: to the delivery channel of the network they name. Also the group fan-out and
 * the "reply on every side" rule in one place, so no caller builds destinations by hand.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from './clock.js';
import type { DeliveryOutcome } from './delivery.js';
import type { RichText } from './rich-text.js';
import type { Groups } from './groups.js';
import type { Logger } from './logger.js';
import type { ChatNetwork } from './network.js';
import type { ConversationRef, MessageStyle, OutboundMessage, PersonRef, Priority } from './messages.js';

export interface SendOptions {
  readonly style?: MessageStyle;
  readonly priority: Priority;
  readonly purpose: string;
  readonly incidentId?: number;
  readonly replyTo?: string;
}

export interface Outbox {
  /** Hands the message on; the promise tells its outcome (callers need not wait for it). */
  send(message: OutboundMessage): Promise<DeliveryOutcome>;
  /** Sets a channel's or room's topic; the promise tells whether the network took it. */
  setTopic(network: string, conversation: string, topic: string): Promise<DeliveryOutcome>;
}

/** The network's ids for what was delivered (the bridge relates later edits, replies and reactions). */
export type DeliveredListener = (message: OutboundMessage, messageIds: readonly string[]) => void;

export class NetworkOutbox implements Outbox {
  constructor(
    private readonly networks: ReadonlyMap<string, ChatNetwork>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly onDelivered: DeliveredListener = () => undefined,
  ) {}

  async send(message: OutboundMessage): Promise<DeliveryOutcome> {
    const outcome = await this.deliver(message.to.network, message.priority, {
      kind: 'message',
      message,
    });
    if (outcome.status === 'delivered') {
      try {
        this.onDelivered(message, outcome.receipt);
      } catch (error) {
        this.logger.error({ err: error }, 'a delivery listener failed');
      }
    }
    return outcome;
  }

  setTopic(network: string, conversation: string, topic: string): Promise<DeliveryOutcome> {
    return this.deliver(network, 'bulk', { kind: 'topic', conversation, topic });
  }

  private async deliver(
    channel: string,
    lane: Priority,
    content: Parameters<ChatNetwork['deliver']>[0]['content'],
  ): Promise<DeliveryOutcome> {
    const network = this.networks.get(channel);
    if (!network) {
      this.logger.warn({ network: channel }, 'no such network; not sent');
      return { status: 'refused', at: this.clock.now(), reason: `there is no network ${channel}` };
    }
    return network.deliver({
      id: randomUUID(),
      channel,
      lane,
      content,
      durable: false,
      attempts: 0,
      createdAt: this.clock.now(),
    });
  }
}

function outbound(to: OutboundMessage['to'], body: RichText, options: SendOptions): OutboundMessage {
  return {
    to,
    body,
    style: options.style ?? 'notice',
    priority: options.priority,
    purpose: options.purpose,
    ...(options.incidentId === undefined ? {} : { incidentId: options.incidentId }),
    ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
  };
}

export class Speaker {
  constructor(
    private readonly outbox: Outbox,
    private readonly groups: Groups,
  ) {}

  /** To every channel and room of a group. */
  toGroup(groupId: string, body: RichText, options: SendOptions): void {
    for (const member of this.groups.members(groupId)) {
      void this.outbox.send(
        outbound({ network: member.network, conversation: member.conversation }, body, options),
      );
    }
  }

  /** To one conversation: a channel, a room, or a direct conversation (IRC nick, Matrix DM room). */
  toConversation(conversation: ConversationRef, body: RichText, options: SendOptions): void {
    void this.outbox.send(
      outbound({ network: conversation.network, conversation: conversation.id }, body, options),
    );
  }

  /**
   * A reply to something typed in a conversation. In a relayed group it is answered once on every side
   * (commands are not relayed, so the other side would otherwise see an answer to nothing).
   */
  reply(conversation: ConversationRef, body: RichText, options: SendOptions): void {
    const group = this.groups.of(conversation);
    if (!group?.relay) {
      this.toConversation(conversation, body, options);
      return;
    }
    const { replyTo: _replyTo, ...elsewhere } = options;
    for (const member of group.members) {
      const origin =
        member.network === conversation.network &&
        this.groups.sameConversation(member.network, member.conversation, conversation.id);
      const to = { network: member.network, conversation: origin ? conversation.id : member.conversation };
      void this.outbox.send(outbound(to, body, origin ? options : elsewhere));
    }
  }

  toPerson(network: string, person: PersonRef, body: RichText, options: SendOptions): void {
    void this.outbox.send(outbound({ network, person }, body, options));
  }
}
