/**
 * Text from people shortened for a chat line: a summary pasted with a whole error message must not turn
 * every announcement and page into a wall. The full text is kept where it came from (the incident, the
 * status history); only what is said in chat is cut, at a word boundary, with an ellipsis.
 */

/** Summaries in announcements, pages and replies are cut to this many characters. */
export const CHAT_SUMMARY_LENGTH = 200;

export function shorten(text: string, max = CHAT_SUMMARY_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const characters = [...flat];
  if (characters.length <= max) return flat;
  const cut = characters.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  // Cut at the last space unless that would lose more than a fifth of the room.
  const kept = space > max * 0.8 ? cut.slice(0, space) : cut;
  return `${kept.replace(/[\s,;:.-]+$/, '')}…`;
}

export const isShortened = (text: string, max = CHAT_SUMMARY_LENGTH): boolean =>
  [...text.replace(/\s+/g, ' ').trim()].length > max;
