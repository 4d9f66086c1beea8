/**
 * Relayed lines queued for a room while the homeserver rate-limits the bot become one event (pure): the
 * bodies one below the other, in the order they were said, each keeping the `<name> ` it was relayed with,
 * and the mentions of all of them. Only plain relayed chat of one kind merges (m.text with m.text, m.notice
 * with m.notice): an emote, a reply or an edit keeps its own event, and so does anything that would push
 * the event past `maxBytes` (the spec's limit is 65,536 bytes for the whole event).
 */
import { RELAY_MARKER, type Content } from './content.js';

/** Room left under the spec's 64 KiB for the event's envelope (ids, signatures, hashes). */
export const MERGED_EVENT_MAX_BYTES = 60_000;

export function mergeable(content: Content): boolean {
  return (
    content[RELAY_MARKER] === true &&
    (content.msgtype === 'm.text' || content.msgtype === 'm.notice') &&
    content['m.relates_to'] === undefined &&
    typeof content.body === 'string' &&
    content.format === 'org.matrix.custom.html' &&
    typeof content.formatted_body === 'string'
  );
}

/** `earlier` and `later` as one event, or undefined when they must stay apart. */
export function mergeRelayed(
  earlier: Content,
  later: Content,
  maxBytes = MERGED_EVENT_MAX_BYTES,
): Content | undefined {
  if (!mergeable(earlier) || !mergeable(later) || earlier.msgtype !== later.msgtype) return undefined;
  const userIds = [...new Set([...mentioned(earlier), ...mentioned(later)])];
  const merged: Content = {
    ...earlier,
    body: `${String(earlier.body)}\n${String(later.body)}`,
    formatted_body: `${String(earlier.formatted_body)}<br>${String(later.formatted_body)}`,
    'm.mentions': userIds.length > 0 ? { user_ids: userIds } : {},
  };
  return Buffer.byteLength(JSON.stringify(merged)) <= maxBytes ? merged : undefined;
}

function mentioned(content: Content): string[] {
  const ids = (content['m.mentions'] as { user_ids?: unknown } | undefined)?.user_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
}
