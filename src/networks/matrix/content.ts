/**
 * The content of the events firebell sends (pure). Bot output is `m.notice` (clients and other bots know
 * not to answer it), `m.emote` for emotes, `m.text` for relayed chat (marked as relayed); HTML and plain bodies come from one RichText; `m.mentions` is
 * always present, so no homeserver falls back to matching names in the body (MSC4210 removed those rules):
 * `{}` unless the message mentions people, and then exactly their user ids. A reply is a bare
 * `m.in_reply_to` relation, without the fallback quote the spec dropped (MSC2781).
 *
 * Threads (CS API "Threading"): an `m.thread` relation to the root, with the reply fallback for clients
 * without threads (`m.in_reply_to` the thread's latest known event, `is_falling_back: true`), or a real
 * reply inside the thread (`is_falling_back: false`). Edits (CS API "Event replacements"): `m.replace`,
 * the new content whole in `m.new_content`, and a `* ` body for clients that do not apply edits; the edit
 * mentions nobody (`m.mentions: {}` at both levels), so changing an announcement pings no one again.
 */
import { mentionedUserIds, renderMatrixHtml } from '../../core/format/matrix-html.js';
import type { OutboundMessage } from '../../core/messages.js';
import type { RichText } from '../../core/rich-text.js';

export type Content = Record<string, unknown>;

/** Marks relayed chat, so that no firebell (this one or another in the same room) relays it again. */
export const RELAY_MARKER = 'org.firebell.relayed';

const MSGTYPES = { message: 'm.text', notice: 'm.notice', emote: 'm.emote' } as const;

export const ENCRYPTION_REFUSAL =
  'end-to-end encryption is not supported by this bot; use an unencrypted room';

export function messageContent(
  message: Pick<OutboundMessage, 'body' | 'style' | 'replyTo' | 'relayed' | 'threadRoot' | 'threadLatest'>,
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
    ...relationOf(message),
  };
}

function relationOf(message: Pick<OutboundMessage, 'replyTo' | 'threadRoot' | 'threadLatest'>): Content {
  const { replyTo, threadRoot } = message;
  if (threadRoot !== undefined)
    return {
      'm.relates_to': {
        rel_type: 'm.thread',
        event_id: threadRoot,
        is_falling_back: replyTo === undefined,
        'm.in_reply_to': { event_id: replyTo ?? message.threadLatest ?? threadRoot },
      },
    };
  return replyTo === undefined ? {} : { 'm.relates_to': { 'm.in_reply_to': { event_id: replyTo } } };
}

/** An edit of firebell's own notice `target` (an incident's announcement) to show `body` now. */
export function editContent(target: string, body: RichText): Content {
  const rendered = renderMatrixHtml(body);
  const now = {
    msgtype: MSGTYPES.notice,
    body: rendered.body,
    format: 'org.matrix.custom.html',
    formatted_body: rendered.formatted_body,
    'm.mentions': {},
  };
  return {
    ...now,
    body: `* ${rendered.body}`,
    formatted_body: `* ${rendered.formatted_body}`,
    'm.new_content': now,
    'm.relates_to': { rel_type: 'm.replace', event_id: target },
  };
}

/** A plain notice that pings nobody (the encryption refusal). */
export function plainNotice(text: string): Content {
  return { msgtype: 'm.notice', body: text, 'm.mentions': {} };
}
