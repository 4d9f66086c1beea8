/** `!log`: the statusbot's history as people read it in chat. */
import { formatDuration } from '../format/duration.js';
import { bold, lineBreak, rich, type RichText } from '../rich-text.js';
import type { StatusEntry } from '../store.js';

/** "2026-11-25 15:04 UTC". */
function utcMinute(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `!log`: the entries oldest first, one per line, each with its time, kind, author and text. */
export function renderStatusLog(newestFirst: readonly StatusEntry[], now: number): RichText {
  const lines = [...newestFirst]
    .reverse()
    .map((entry) =>
      rich(
        `${utcMinute(entry.at)} (${formatDuration(now - entry.at)} ago) `,
        bold(entry.kind === 'success' ? '#success' : `#status ${entry.kind}`),
        ` by ${entry.by.name}${entry.text ? `: ${entry.text}` : ''}`,
      ),
    );
  return lines.flatMap((line, index) => (index === 0 ? [...line] : [lineBreak, ...line]));
}
