/**
 * Turns rendered IRC text into protocol-safe lines that fit the 512-byte limit as the server relays them.
 * Pure. Two rules: nothing in the text can become protocol (CR, LF and NUL never reach the wire: a line break
 * becomes a separate line, other control characters except formatting codes are dropped), and a line is cut
 * by UTF-8 bytes, never inside a grapheme cluster, at a word boundary when there is a reasonable one.
 */
import { FORMATTING_CODES, reopenFormatting, stripIrcFormatting } from '../../core/format/irc-format.js';

/** RFC 1459: a line is at most 512 bytes, CR LF included. */
export const MAX_LINE_BYTES = 512;

/** A host as long as servers allow, assumed until the server tells us ours. */
export const WORST_CASE_HOST = 'h'.repeat(63);

export const byteLength = (value: string): number => Buffer.byteLength(value, 'utf8');

export interface SourceMask {
  readonly nick: string;
  readonly user: string;
  readonly host: string;
}

/**
 * Bytes left for the text of one PRIVMSG/NOTICE once the server has put our prefix in front of it:
 * `:nick!user@host PRIVMSG #chan :<text>\r\n` must fit in 512 bytes. `wrapperBytes` is for CTCP framing.
 */
export function payloadBudget(
  source: SourceMask,
  command: 'PRIVMSG' | 'NOTICE',
  target: string,
  wrapperBytes = 0,
): number {
  const prefix = `:${source.nick}!${source.user}@${source.host} ${command} ${target} :`;
  return MAX_LINE_BYTES - 2 - byteLength(prefix) - wrapperBytes;
}

const isKeptControl = (char: string): boolean => FORMATTING_CODES.has(char);

function stripControls(line: string): string {
  let out = '';
  for (const char of line.replace(/\t/g, ' ')) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 || code === 0x7f) && !isKeptControl(char)) continue;
    out += char;
  }
  return out;
}

/**
 * Splits text into the lines to send: on CR, LF and CRLF, with other control characters (NUL, CTCP's \x01,
 * BEL...) removed and formatting codes kept. Lines with nothing visible are dropped (IRC cannot send them).
 */
export function toIrcLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map(stripControls)
    .filter((line) => stripIrcFormatting(line).trim() !== '');
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

interface Cut {
  /** Where the chunk ends (string index). */
  readonly end: number;
  /** Where the rest starts (after a whitespace cut, past the space). */
  readonly resume: number;
}

/** The longest prefix of `text` within `maxBytes`, never splitting a code point (for an oversized grapheme). */
function cutInsideGrapheme(text: string, start: number, maxBytes: number, usedBytes: number): number {
  let end = start;
  let bytes = usedBytes;
  for (const char of text.slice(start)) {
    const size = byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return end;
}

/**
 * Where to cut `text` so the first part fits `maxBytes`. `minEnd` is the index the cut must pass, so every
 * chunk carries some text beyond the formatting codes it reopens with.
 */
function findCut(text: string, maxBytes: number, minEnd: number): Cut {
  let bytes = 0;
  let fitEnd = 0;
  let space: { index: number; bytes: number } | undefined;
  for (const { segment, index } of graphemes.segment(text)) {
    const size = byteLength(segment);
    if (bytes + size > maxBytes) break;
    if (segment === ' ' && index > minEnd) space = { index, bytes };
    bytes += size;
    fitEnd = index + segment.length;
  }
  // The limit falls right before a space: that is a word boundary too.
  if (fitEnd > minEnd && text[fitEnd] === ' ') return { end: fitEnd, resume: fitEnd + 1 };
  // A word boundary is worth it only when it keeps at least half of the line's room; otherwise (a long
  // URL after a short word) cutting at the limit wastes fewer lines.
  if (space && space.bytes >= maxBytes / 2) return { end: space.index, resume: space.index + 1 };
  if (fitEnd > minEnd) return { end: fitEnd, resume: fitEnd };
  const end = cutInsideGrapheme(text, minEnd, maxBytes, byteLength(text.slice(0, minEnd)));
  // Budgets below one code point cannot happen with real prefixes; take one code point to make progress.
  const forced = end > minEnd ? end : minEnd + ((text.codePointAt(minEnd) ?? 0) > 0xffff ? 2 : 1);
  return { end: forced, resume: forced };
}

/**
 * Cuts one line (already free of CR/LF) into chunks of at most `maxBytes` UTF-8 bytes. Formatting in force at
 * a cut is reopened at the start of the next chunk, so a bold sentence stays bold across lines.
 */
export function splitLine(line: string, maxBytes: number): string[] {
  const chunks: string[] = [];
  let rest = line;
  let reopened = 0;
  while (byteLength(rest) > maxBytes) {
    const { end, resume } = findCut(rest, maxBytes, reopened);
    const chunk = rest.slice(0, end).replace(/ +$/, '');
    if (stripIrcFormatting(chunk) !== '') chunks.push(chunk);
    const reopen = reopenFormatting(chunk);
    rest = reopen + rest.slice(resume);
    reopened = reopen.length;
  }
  if (stripIrcFormatting(rest).trim() !== '') chunks.push(rest);
  return chunks;
}
