/**
 * A message or reaction of a room as the core takes it (pure): the interpreted event with who said it and
 * where. Each carries the event id as `durableId`: the core skips an event it handled before (a replay
 * after a crash) by it.
 */
import type { Logger } from '../../core/logger.js';
import type { ConversationRef, InboundMessage, InboundReaction, Sender } from '../../core/messages.js';
import type { Interpreted } from './inbound.js';
import type { RawEvent } from './sync-client.js';

export type ForTheCore =
  | { readonly kind: 'message'; readonly message: InboundMessage }
  | { readonly kind: 'reaction'; readonly reaction: InboundReaction };

export function forTheCore(
  meaning: Exclude<Interpreted, { kind: 'membership' }>,
  event: RawEvent,
  conversation: ConversationRef,
  sender: Sender,
  networkId: string,
): ForTheCore {
  const durableId = `matrix:${networkId}:${event.event_id}`;
  const at = event.origin_server_ts;
  if (meaning.kind === 'reaction')
    return {
      kind: 'reaction',
      reaction: { conversation, sender, messageId: meaning.target, key: meaning.key, at, durableId },
    };
  return {
    kind: 'message',
    message: {
      conversation,
      sender,
      text: meaning.text,
      style: meaning.style,
      at,
      messageId: event.event_id,
      durableId,
      ...(meaning.replyTo === undefined ? {} : { replyTo: { messageId: meaning.replyTo } }),
      ...(meaning.editOf === undefined ? {} : { editOf: { messageId: meaning.editOf } }),
      ...(meaning.threadRoot === undefined ? {} : { threadRoot: { messageId: meaning.threadRoot } }),
      ...(meaning.relayed ? { relayedByBot: true } : {}),
      ...(meaning.rich === undefined ? {} : { rich: meaning.rich }),
    },
  };
}

/**
 * Hands an event to the core and waits until the core has committed its handling; a throw there is
 * logged, never allowed into the SDK or the sync loop.
 */
export async function handedOver(logger: Logger, callback: () => Promise<void> | void): Promise<void> {
  try {
    await callback();
  } catch (error) {
    logger.error({ err: error }, 'a network event handler threw');
  }
}
