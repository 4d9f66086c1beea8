/**
 * What a room event means to firebell, decided from the event alone (pure): a message (with its style,
 * reply and edit relations, and the old reply fallback stripped), a reaction, or nothing. Per the spec's
 * "Event replacements", an edit's new text is in `m.new_content`; per "Rich replies", clients strip the
 * `> ` fallback lines that older clients still prepend. Per "Threading", an `m.thread` relation names the
 * thread's root; its `m.in_reply_to` is a real reply only when `is_falling_back` is not true.
 */
import type { MessageStyle } from '../../core/messages.js';
import type { RawEvent } from './sync-client.js';
import { RELAY_MARKER } from './content.js';
import type { RichText } from '../../core/rich-text.js';
import { matrixHtmlToRich } from '../../core/format/matrix-html-to-rich.js';

export type Interpreted =
  | {
      readonly kind: 'message';
      readonly text: string;
      readonly style: MessageStyle;
      readonly replyTo?: string;
      readonly editOf?: string;
      /** The root of the thread it was said in. */
      readonly threadRoot?: string;
      /** Relayed by a firebell (see RELAY_MARKER): never relayed again. */
      readonly relayed?: boolean;
      /** The formatting, from `formatted_body` (org.matrix.custom.html), for relaying. */
      readonly rich?: RichText;
    }
  | { readonly kind: 'reaction'; readonly target: string; readonly key: string }
  /** Someone joined or left the room (their own membership, or a kick/ban by someone else). */
  | {
      readonly kind: 'membership';
      readonly user: string;
      readonly change: 'join' | 'part' | 'kick';
      readonly reason?: string;
    };

const STYLES: Record<string, MessageStyle> = {
  'm.text': 'message',
  'm.notice': 'notice',
  'm.emote': 'emote',
};

export function interpret(event: RawEvent): Interpreted | undefined {
  const relation = asRecord(event.content['m.relates_to']);
  if (event.type === 'm.reaction') {
    const target = relation?.event_id;
    const key = relation?.key;
    if (relation?.rel_type !== 'm.annotation' || typeof target !== 'string' || typeof key !== 'string')
      return undefined;
    return { kind: 'reaction', target, key };
  }
  if (event.type === 'm.room.member') return membershipChange(event);
  if (event.type !== 'm.room.message') return undefined;
  const editOf =
    relation?.rel_type === 'm.replace' && typeof relation.event_id === 'string'
      ? relation.event_id
      : undefined;
  const content = editOf === undefined ? event.content : asRecord(event.content['m.new_content']);
  const style = typeof content?.msgtype === 'string' ? STYLES[content.msgtype] : undefined;
  if (!content || !style || typeof content.body !== 'string') return undefined;
  const threadRoot =
    relation?.rel_type === 'm.thread' && typeof relation.event_id === 'string'
      ? relation.event_id
      : undefined;
  const replyTo = asRecord(relation?.['m.in_reply_to'])?.event_id;
  const isReply =
    typeof replyTo === 'string' && !(threadRoot !== undefined && relation?.is_falling_back === true);
  return {
    kind: 'message',
    text: typeof replyTo === 'string' ? stripReplyFallback(content.body) : content.body,
    style,
    ...(isReply ? { replyTo } : {}),
    ...(threadRoot === undefined ? {} : { threadRoot }),
    ...(editOf === undefined ? {} : { editOf }),
    ...(content[RELAY_MARKER] === true || event.content[RELAY_MARKER] === true ? { relayed: true } : {}),
    ...(content.format === 'org.matrix.custom.html' && typeof content.formatted_body === 'string'
      ? { rich: matrixHtmlToRich(content.formatted_body) }
      : {}),
  };
}

/** A change of membership worth telling a bridge: a join, a leave, a kick or ban. Profile changes are not. */
function membershipChange(event: RawEvent): Interpreted | undefined {
  const user = event.state_key;
  const now = event.content.membership;
  const before = asRecord(event.unsigned?.prev_content)?.membership;
  if (typeof user !== 'string' || now === before) return undefined;
  const reason =
    typeof event.content.reason === 'string' && event.content.reason !== ''
      ? { reason: event.content.reason }
      : {};
  if (now === 'join') return { kind: 'membership', user, change: 'join' };
  if ((now === 'leave' || now === 'ban') && before === 'join') {
    return { kind: 'membership', user, change: user === event.sender ? 'part' : 'kick', ...reason };
  }
  return undefined;
}

/** Removes leading `> ` lines and the blank line after them (CS API "Stripping the fallback"). */
export function stripReplyFallback(body: string): string {
  const lines = body.split('\n');
  let index = 0;
  while (index < lines.length && (lines[index] as string).startsWith('> ')) index += 1;
  if (index === 0) return body;
  if (lines[index] === '') index += 1;
  return lines.slice(index).join('\n');
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
