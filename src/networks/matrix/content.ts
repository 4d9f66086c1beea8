/**
 * The content of the events firebell sends (pure). Bot output is `m.notice` (clients and other bots know
 * not to answer it), `m.emote` for emotes, `m.text` for relayed chat (marked as relayed); HTML and plain bodies come from one RichText; `m.mentions` is
 * always present, so no homeserver falls back to matching names in the body (MSC4210 removed those rules):
 * `{}` unless the message mentions people, and then exactly their user ids. A reply is a bare
 * `m.in_reply_to` relation, without the fallback quote the spec dropped (MSC2781).
 */
import { mentionedUserIds, renderMatrixHtml } from '../../core/format/matrix-html.js';
import type { OutboundMessage } from '../../core/messages.js';

export type Content = Record<string, unknown>;

/** Marks relayed chat, so that no firebell (this one or another in the same room) relays it again. */
export const RELAY_MARKER = 'org.firebell.relayed';

const MSGTYPES = { message: 'm.text', notice: 'm.notice', emote: 'm.emote' } as const;

export const ENCRYPTION_REFUSAL =
  'end-to-end encryption is not supported by this bot; use an unencrypted room';

export function messageContent(
  message: Pick<OutboundMessage, 'body' | 'style' | 'replyTo' | 'relayed'>,
): Content {
  const { body, formatted_body } = renderMatrixHtml(message.body);
  const userIds = mentionedUserIds(message.body);
  return {
    // firebell's own words are sent as notices (the core's default style); relayed chat keeps its kind.
    msgtype: MSGTYPES[message.style],
    body,
    format: 'org.matrix.custom.html',
    formatted_body,
    'm.mentions': userIds.length > 0 ? { user_ids: userIds } : {},
    ...(message.relayed ? { [RELAY_MARKER]: true } : {}),
    ...(message.replyTo === undefined
      ? {}
      : { 'm.relates_to': { 'm.in_reply_to': { event_id: message.replyTo } } }),
  };
}

/** A plain notice that pings nobody (the encryption refusal). */
export function plainNotice(text: string): Content {
  return { msgtype: 'm.notice', body: text, 'm.mentions': {} };
}
