/**
 * Relayed text is someone else's input, and the adapters that parsed it are not trusted to have cleaned
 * it: whatever reaches a protocol from the bridge has passed through here. Line ends become line-break
 * segments, every other control character (NUL, IRC formatting codes, C1) goes, styles and colours are
 * rebuilt from the known fields only, and links, mentions and code blocks are checked field by field.
 */
import type { PersonRef } from '../messages.js';
import { lineBreak, type RichText, type Segment, type TextStyle } from '../rich-text.js';

const LINE_END = /\r\n|[\r\n\u2028\u2029]/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/**
 * Invisible characters and bidi embeddings, overrides and isolates: in a label (a name shown before someone's
 * words) they would make one name look like another without being equal to it, or reorder the rest of the line.
 */
const HIDING = /[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const SAFE_URL = /^(https?|mailto|matrix|ircs?):[^\s\u0000-\u001f\u007f-\u009f]+$/i;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const IRC_NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,63}$/;
const MATRIX_ID = /^@[^:\s\u0000-\u001f]+:[^\s\u0000-\u001f]+$/;

/** One line of text with no control characters (tabs become spaces, line ends removed). */
export function cleanLine(value: string): string {
  return value.replace(/\t/g, ' ').replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * A single-line label (a name, a reason): line ends and runs of spaces become one space, trimmed, and
 * nothing invisible or bidi-reordering is left.
 */
export function singleLine(value: string): string {
  return cleanLine(value.replace(new RegExp(LINE_END, 'g'), ' '))
    .replace(HIDING, '')
    .replace(/\s+/g, ' ')
    .trim();
}

export function sanitizeRich(body: RichText): Segment[] {
  const out: Segment[] = [];
  for (const segment of body) {
    switch (segment.kind) {
      case 'text':
        pushText(out, segment.text, cleanStyle(segment.style));
        break;
      case 'line-break':
        out.push(lineBreak);
        break;
      case 'link': {
        const label = segment.label === undefined ? undefined : singleLine(segment.label);
        if (SAFE_URL.test(segment.url)) {
          out.push(
            label && label !== segment.url
              ? { kind: 'link', url: segment.url, label }
              : { kind: 'link', url: segment.url },
          );
        } else {
          pushText(out, label || segment.url, undefined);
        }
        break;
      }
      case 'mention':
        out.push({ kind: 'mention', person: cleanPerson(segment.person) });
        break;
      case 'code-block': {
        const text = segment.text.split(LINE_END).map(cleanLine).join('\n');
        const language =
          segment.language !== undefined && LANGUAGE.test(segment.language) ? segment.language : undefined;
        if (text.trim().length > 0)
          out.push(language ? { kind: 'code-block', text, language } : { kind: 'code-block', text });
        break;
      }
    }
  }
  return out;
}

/** True when nothing visible is left. */
export function isBlank(body: RichText): boolean {
  return body.every((segment) => {
    switch (segment.kind) {
      case 'text':
      case 'code-block':
        return segment.text.trim().length === 0;
      case 'line-break':
        return true;
      default:
        return false;
    }
  });
}

function pushText(out: Segment[], value: string, style: TextStyle | undefined): void {
  value.split(LINE_END).forEach((line, index) => {
    if (index > 0) out.push(lineBreak);
    const clean = cleanLine(line);
    if (clean.length > 0)
      out.push(style ? { kind: 'text', text: clean, style } : { kind: 'text', text: clean });
  });
}

function cleanStyle(style: TextStyle | undefined): TextStyle | undefined {
  if (!style) return undefined;
  const palette = (value: number | undefined): value is number =>
    value !== undefined && Number.isInteger(value) && value >= 0 && value <= 98;
  const fg = style.color?.fg;
  const bg = style.color?.bg;
  const color = { ...(palette(fg) ? { fg } : {}), ...(palette(bg) ? { bg } : {}) };
  const clean: TextStyle = {
    ...(style.bold === true ? { bold: true } : {}),
    ...(style.italic === true ? { italic: true } : {}),
    ...(style.underline === true ? { underline: true } : {}),
    ...(style.strikethrough === true ? { strikethrough: true } : {}),
    ...(style.monospace === true ? { monospace: true } : {}),
    ...(Object.keys(color).length > 0 ? { color } : {}),
  };
  return Object.keys(clean).length > 0 ? clean : undefined;
}

function cleanPerson(person: PersonRef): PersonRef {
  const nick = person.irc?.nick !== undefined && IRC_NICK.test(person.irc.nick) ? person.irc.nick : undefined;
  const userId =
    person.matrix?.userId !== undefined && MATRIX_ID.test(person.matrix.userId)
      ? person.matrix.userId
      : undefined;
  return {
    name: singleLine(person.name) || (nick ?? userId ?? '?'),
    ...(person.contactId === undefined ? {} : { contactId: person.contactId }),
    ...(nick === undefined ? {} : { irc: { nick } }),
    ...(userId === undefined ? {} : { matrix: { userId } }),
  };
}
