/**
 * A relayed message as IRC lines. IRC has no code blocks and no multi-line messages: a code block becomes
 * monospace lines (indentation kept, so it stays readable), every line is its own PRIVMSG (blank lines
 * cannot be sent and are left out), and a message longer than the configured number of lines is cut
 * (research §1.6: long pastes and floods of split lines are what IRC users complain about most). Byte
 * splitting of a long line is the IRC adapter's job; here a line counts as as many IRC lines as it will
 * take, at about 400 bytes each.
 */
import { renderIrc } from '../format/irc-format.js';
import { link, text, toPlainText, type RichText, type Segment, type TextStyle } from '../rich-text.js';

/** Text bytes per IRC line once the adapter has split it (510 bytes less prefix, command, target, name). */
export const IRC_LINE_BYTES = 400;

/**
 * Bytes of one relayed line as sent, attribution and formatting codes included, so that the IRC adapter
 * never has to cut it: a rest it cut off would go out without `<name> `, as firebell's own words. 510 bytes
 * less `:nick!user@host PRIVMSG #channel :` with the longest host (63) and a 30-byte nick and 50-byte
 * channel leave 343.
 */
export const IRC_ATTRIBUTED_LINE_BYTES = 340;

export type IrcLine = readonly Segment[];

export interface Cut {
  readonly lines: readonly IrcLine[];
  /** Lines not shown at all. */
  readonly hidden: number;
  /** The last shown line was cut short. */
  readonly cutShort: boolean;
}

export function ircLines(body: RichText): IrcLine[] {
  const lines: Segment[][] = [[]];
  const current = (): Segment[] => lines[lines.length - 1] as Segment[];
  for (const segment of body) {
    if (segment.kind === 'line-break') {
      lines.push([]);
    } else if (segment.kind === 'code-block') {
      if (current().length > 0) lines.push([]);
      for (const line of segment.text.split('\n')) {
        // A leading space is kept as a no-break space, since IRC clients collapse the indentation otherwise.
        const shown = line.replace(/^ +/, (spaces) => '\u00a0'.repeat(spaces.length));
        current().push({ kind: 'text', text: shown, style: { monospace: true } });
        lines.push([]);
      }
    } else {
      current().push(segment);
    }
  }
  return lines.filter((line) => !isBlankLine(line));
}

/** The lines to show when there are more than `maxLines` IRC lines' worth; undefined when all fit. */
export function cutToLines(lines: readonly IrcLine[], maxLines: number): Cut | undefined {
  const costs = lines.map((line) => Math.max(1, Math.ceil(utf8Length(lineText(line)) / IRC_LINE_BYTES)));
  if (costs.reduce((sum, cost) => sum + cost, 0) <= maxLines) return undefined;
  const shown: IrcLine[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const cost = costs[index] as number;
    if (used + cost <= maxLines) {
      shown.push(line);
      used += cost;
      continue;
    }
    if (shown.length === 0 || used < maxLines) {
      // Too long to show whole: as much of it as fits in the lines left.
      shown.push(cutLine(line, (maxLines - used) * IRC_LINE_BYTES));
      return { lines: shown, hidden: lines.length - index - 1, cutShort: true };
    }
    return { lines: shown, hidden: lines.length - index, cutShort: false };
  }
  return undefined;
}

/** The lines to send: all of them, or the first ones with the marker at the end of the last. */
export function withMarker(
  lines: readonly IrcLine[],
  maxLines: number,
  marker: (cut: Cut) => Segment[],
): IrcLine[] {
  const cut = cutToLines(lines, maxLines);
  if (!cut) return [...lines];
  const shown = [...cut.lines];
  shown[shown.length - 1] = [...(shown.at(-1) ?? []), ...marker(cut)];
  return shown;
}

/** `(2 more lines: <link>)`, or a plain marker when there is no page to link to. */
export function cutMarker(cut: Cut, url: string | undefined): Segment[] {
  const what = cut.hidden > 0 ? `${cut.hidden} more line${cut.hidden === 1 ? '' : 's'}` : undefined;
  if (url === undefined) return [text(what ? ` (${what} not shown)` : ' (rest of the message not shown)')];
  return [text(what ? ` (${what}: ` : ' (full message: '), link(url), text(')')];
}

/** The lines to send, each cut to fit with `prefix` (the attribution) in front of it. */
export function attributed(lines: readonly IrcLine[], prefix: string): IrcLine[] {
  return lines.flatMap((line) => splitToFit(line, IRC_ATTRIBUTED_LINE_BYTES - utf8Length(prefix)));
}

/**
 * A line as several whose IRC rendering (formatting codes included) fits `bytes` each, cut between words
 * where a word boundary keeps at least half of the room; a link too long for a line of its own becomes text.
 */
export function splitToFit(line: IrcLine, bytes: number): IrcLine[] {
  const pieces: Segment[][] = [[]];
  let left = bytes;
  const next = (): void => {
    pieces.push([]);
    left = bytes;
  };
  for (const whole of line) {
    let rest: Segment | undefined = whole;
    while (rest) {
      const size = utf8Length(renderIrc([rest]));
      const fresh = left === bytes;
      if (size <= left) {
        (pieces.at(-1) as Segment[]).push(rest);
        left -= size;
        rest = undefined;
      } else if (rest.kind !== 'text') {
        if (fresh) rest = text(toPlainText([rest]));
        else next();
      } else {
        const style: TextStyle | undefined = rest.style;
        const overhead = utf8Length(renderIrc([text('x', style)])) - 1;
        const [head, tail] = cutWords(rest.text, left - overhead, fresh);
        if (head.trim().length > 0) (pieces.at(-1) as Segment[]).push(text(head, style));
        rest = tail.length > 0 ? text(tail, style) : undefined;
        next();
      }
    }
  }
  return pieces.filter((piece) => !isBlankLine(piece));
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `value` cut to at most `bytes` (at least one character when `force`), at a space when that is worth it. */
function cutWords(value: string, bytes: number, force: boolean): [string, string] {
  let used = 0;
  let end = 0;
  let space: { index: number; used: number } | undefined;
  for (const { segment, index } of graphemes.segment(value)) {
    const size = utf8Length(segment);
    if (used + size > bytes && !(force && end === 0)) break;
    if (segment === ' ') space = { index, used };
    used += size;
    end = index + segment.length;
  }
  if (end < value.length && value[end] !== ' ' && space && space.used >= bytes / 2) end = space.index;
  return [value.slice(0, end).trimEnd(), value.slice(end).trimStart()];
}

function cutLine(line: IrcLine, bytes: number): IrcLine {
  const out: Segment[] = [];
  let left = bytes - 3; // room for the ellipsis
  for (const segment of line) {
    const shown = toPlainText([segment]);
    const length = utf8Length(shown);
    if (length <= left) {
      out.push(segment);
      left -= length;
      continue;
    }
    let kept = '';
    for (const point of shown) {
      const size = utf8Length(point);
      if (size > left) break;
      kept += point;
      left -= size;
    }
    out.push(text(`${kept}…`, segment.kind === 'text' ? segment.style : undefined));
    return out;
  }
  return out;
}

function lineText(line: IrcLine): string {
  return toPlainText(line);
}

function isBlankLine(line: IrcLine): boolean {
  return lineText(line).trim().length === 0;
}

export function utf8Length(value: string): number {
  let bytes = 0;
  for (const point of value) {
    const code = point.codePointAt(0) as number;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
