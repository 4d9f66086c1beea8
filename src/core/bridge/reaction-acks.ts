/**
 * A ✅ reaction to an announcement or a page acknowledges its incident, as `!ack <n>` from the person who
 * reacted would. The bridge remembers which delivered messages name an incident, by their network ids.
 */
import type { InboundReaction, OutboundMessage } from '../messages.js';
import { BoundedMap } from '../bounded-map.js';
import type { BridgeDeps } from './bridge-deps.js';
import type { IgnorePatterns } from './ignore-patterns.js';
import { conversationKey } from './relayed-messages.js';

/** U+2705 ✅ and U+2714 ✔ (with or without the emoji variation selector). */
const CHECK_MARKS = new Set(['\u2705', '\u2714']);
/** Outputs that name an incident and can be acknowledged with a reaction. */
const ACKNOWLEDGEABLE = new Set(['announce', 'page']);

export class ReactionAcks {
  private readonly announcements = new BoundedMap<string, number>(1024);

  constructor(
    private readonly deps: Pick<BridgeDeps, 'logger' | 'runCommand'>,
    private readonly ignore: IgnorePatterns,
  ) {}

  remember(message: OutboundMessage, messageIds: readonly string[]): void {
    if ('person' in message.to) return;
    const { network } = message.to;
    if (message.incidentId !== undefined && ACKNOWLEDGEABLE.has(message.purpose ?? ''))
      for (const id of messageIds) this.announcements.set(conversationKey(network, id), message.incidentId);
  }

  acknowledge(reaction: InboundReaction): Promise<void> | undefined {
    if (!CHECK_MARKS.has(reaction.key.replace(/\ufe0f/g, '').trim())) return undefined;
    if (this.ignore.ignored(reaction.conversation.network, reaction.sender)) return undefined;
    const incidentId = this.announcements.get(
      conversationKey(reaction.conversation.network, reaction.messageId),
    );
    if (incidentId === undefined) return undefined;
    this.deps.logger.info(
      { incident: incidentId, network: reaction.conversation.network, by: reaction.sender.id },
      'acknowledging by reaction',
    );
    const run = this.deps.runCommand({
      conversation: reaction.conversation,
      sender: reaction.sender,
      text: `!ack ${incidentId}`,
      style: 'message',
      at: reaction.at,
      ...(reaction.durableId === undefined ? {} : { durableId: reaction.durableId }),
    });
    return Promise.resolve(run).catch((error: unknown) =>
      this.deps.logger.error({ err: error, incident: incidentId }, 'acknowledging by reaction failed'),
    );
  }
}
