/**
 * Where outbound messages go: to the adapter of the network they name. Also the group fan-out and the
 * "reply on every side" rule in one place, so no caller builds destinations by hand.
 */
import type { RichText } from './rich-text.js';
import { sameConversation, type Groups } from './groups.js';
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
  send(message: OutboundMessage): void;
}

export class NetworkOutbox implements Outbox {
  constructor(
    private readonly networks: ReadonlyMap<string, ChatNetwork>,
    private readonly logger: Logger,
  ) {}

  send(message: OutboundMessage): void {
    const network = this.networks.get(message.to.network);
    if (!network) {
      this.logger.warn(
        { network: message.to.network, purpose: message.purpose },
        'no such network; message not sent',
      );
      return;
    }
    network.send(message);
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
      this.outbox.send(
        outbound({ network: member.network, conversation: member.conversation }, body, options),
      );
    }
  }

  /** To one conversation: a channel, a room, or a direct conversation (IRC nick, Matrix DM room). */
  toConversation(conversation: ConversationRef, body: RichText, options: SendOptions): void {
    this.outbox.send(
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
        member.network === conversation.network && sameConversation(member.conversation, conversation.id);
      const to = { network: member.network, conversation: origin ? conversation.id : member.conversation };
      this.outbox.send(outbound(to, body, origin ? options : elsewhere));
    }
  }

  toPerson(network: string, person: PersonRef, body: RichText, options: SendOptions): void {
    this.outbox.send(outbound({ network, person }, body, options));
  }
}
