/**
 * The content of the events firebell sends (pure). Bot output is `m.notice` (clients and other bots know
 * not to answer it), `m.emote` for emotes; HTML and plain bodies come from one RichText; `m.mentions` is
 * always present, so no homeserver falls back to matching names in the body (MSC4210 removed those rules):
 * `{}` unless the message mentions people, and then exactly their user ids. A reply is a bare
 * `m.in_reply_to` relation, without the fallback quote the spec dropped (MSC2781).
 */
import { mentionedUserIds, renderMatrixHtml } from '../../core/format/matrix-html.js';
import type { OutboundMessage } from '../../core/messages.js';

export type Content = Record<string, unknown>;

export const ENCRYPTION_REFUSAL =
  'end-to-end encryption is not supported by this bot; use an unencrypted room';

export function messageContent(message: Pick<OutboundMessage, 'body' | 'style' | 'replyTo'>): Content {
  const { body, formatted_body } = renderMatrixHtml(message.body);
  const userIds = mentionedUserIds(message.body);
  return {
    msgtype: message.style === 'emote' ? 'm.emote' : 'm.notice',
    body,
    format: 'org.matrix.custom.html',
    formatted_body,
    'm.mentions': userIds.length > 0 ? { user_ids: userIds } : {},
    ...(message.replyTo === undefined
      ? {}
      : { 'm.relates_to': { 'm.in_reply_to': { event_id: message.replyTo } } }),
  };
}

/** A plain notice that pings nobody (the encryption refusal). */
export function plainNotice(text: string): Content {
  return { msgtype: 'm.notice', body: text, 'm.mentions': {} };
}
