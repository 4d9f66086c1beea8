/**
 * Matrix `formatted_body` (org.matrix.custom.html, CS API "HTML formatting") → RichText, for relaying to
 * IRC. The input is someone else's HTML, so this is a small tokenizer of its own rather than a DOM: it
 * runs in linear time on any input, keeps the tags the spec suggests (b, i, u, del, code, pre, a, br, p,
 * li, blockquote, font/span colours), reduces everything else to its text, drops `mx-reply` (the reply
 * fallback) and the content of script-like elements, and never produces protocol: text segments carry no
 * control characters at all, line breaks are `line-break` segments, and a code block's text has only LF.
 */
import type { PersonRef } from '../messages.js';
import { MIRC_PALETTE } from './matrix-html.js';
import type { RichText, Segment, TextStyle } from '../rich-text.js';

/** The spec recommends clients limit nesting to 100; deeper tags still yield their text. */
const MAX_DEPTH = 100;

/** Elements whose content is not text to show. */
const DROPPED = new Set(
  'mx-reply script style template head title iframe object svg math noscript'.split(' '),
);
/** Of those, the ones whose content HTML parses as raw text up to the closing tag. */
const RAW_TEXT = new Set(['script', 'style', 'noscript', 'title', 'iframe']);
const VOID = new Set('br img hr wbr input meta link area base col embed source track'.split(' '));
const BLOCK = new Set(
  (
    'p div li ul ol blockquote pre table tr hr details summary dl dt dd section article header footer ' +
    'figure figcaption caption h1 h2 h3 h4 h5 h6'
  ).split(' '),
);
// prettier-ignore
const INLINE_STYLE: Readonly<Record<string, TextStyle>> = {
  b: { bold: true }, strong: { bold: true }, h1: { bold: true }, h2: { bold: true }, h3: { bold: true },
  h4: { bold: true }, h5: { bold: true }, h6: { bold: true }, i: { italic: true }, em: { italic: true },
  u: { underline: true }, ins: { underline: true }, del: { strikethrough: true },
  s: { strikethrough: true }, strike: { strikethrough: true }, code: { monospace: true },
};

const SAFE_LINK = /^(https?:|mailto:|matrix:)/i;
const MATRIX_TO_USER = /^https:\/\/matrix\.to\/#\/((?:@|%40)[^/?#]+)/i;
const MATRIX_URI_USER = /^matrix:u\/([^/?#]+)/i;
const USER_ID = /^@[^:\s]+:[^\s]+$/;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
// HTML's whitespace, plus the Unicode line and paragraph separators some clients would break lines at.
const HTML_SPACE = /[ \t\n\r\f\u2028\u2029]+/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// C0 and C1 controls and DEL (NUL, CR, LF, IRC formatting codes): nothing a line of text may carry.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f\s]/;

// prettier-ignore
const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', shy: '', copy: '©', reg: '®',
  trade: '™', hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  laquo: '«', raquo: '»', bull: '•', middot: '·', times: '×', divide: '÷', deg: '°', plusmn: '±',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', larr: '←', rarr: '→', uarr: '↑',
  darr: '↓', harr: '↔', check: '✓', zwsp: '\u200b', zwj: '\u200d', zwnj: '\u200c', ensp: '\u2002',
  emsp: '\u2003', thinsp: '\u2009', tab: ' ', newline: '\n',
};

/** The mIRC palette 0-98 as RGB numbers; relayed colours are mapped to the nearest entry. */
const PALETTE: readonly number[] = MIRC_PALETTE.map((hex) => parseInt(hex, 16));

interface Frame {
  readonly tag: string;
  readonly style?: TextStyle;
  readonly block?: boolean;
  readonly quote?: boolean;
  readonly list?: { readonly ordered: boolean; next: number };
  readonly item?: boolean;
}

interface Anchor {
  readonly href: string | undefined;
  label: string;
}

export function matrixHtmlToRich(html: string): RichText {
  return new Converter().run(html);
}

/** `&amp;`, `&#38;`, `&#x26;` → `&`; unknown or unterminated references stay as written. */
export function decodeEntities(value: string): string {
  return value.replace(
    /&(#[xX][0-9a-fA-F]{1,8}|#[0-9]{1,10}|[A-Za-z][A-Za-z0-9]{1,31});/g,
    (whole, body: string) => {
      if (body.startsWith('#')) {
        const code =
          body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        const invalid = code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff);
        return invalid ? '\ufffd' : String.fromCodePoint(code);
      }
      return NAMED_ENTITIES[body] ?? NAMED_ENTITIES[body.toLowerCase()] ?? whole;
    },
  );
}

/** `#f00`, `#ff0000` → the nearest mIRC palette index; anything else → undefined. */
export function nearestMircColour(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match) return undefined;
  const hex =
    (match[1] as string).length === 3
      ? [...(match[1] as string)].map((c) => c + c).join('')
      : (match[1] as string);
  const rgb = parseInt(hex, 16);
  let best = 0;
  let bestDistance = Infinity;
  PALETTE.forEach((candidate, index) => {
    const dr = ((candidate >> 16) & 255) - ((rgb >> 16) & 255);
    const dg = ((candidate >> 8) & 255) - ((rgb >> 8) & 255);
    const db = (candidate & 255) - (rgb & 255);
    const distance = dr * dr + dg * dg + db * db;
    if (distance < bestDistance) {
      best = index;
      bestDistance = distance;
    }
  });
  return best;
}

class Converter {
  private readonly out: Segment[] = [];
  private readonly stack: Frame[] = [];
  /** Extra tags beyond MAX_DEPTH, counted so their closing tags do not close real frames. */
  private overflow = 0;
  private lineHasContent = false;
  /** A collapsed run of whitespace owed before the next content, with the style it was seen in. */
  private pendingSpace: { style?: TextStyle } | undefined;
  private pendingBreak = false;
  private pendingBullet: string | undefined;
  private anchor: Anchor | undefined;
  private pre: { text: string; language: string | undefined } | undefined;
  private skip: { tag: string; depth: number } | undefined;

  run(html: string): RichText {
    const lastGt = html.lastIndexOf('>');
    let i = 0;
    while (i < html.length) {
      const lt = html.indexOf('<', i);
      const textEnd = lt === -1 ? html.length : lt;
      if (textEnd > i) this.text(html.slice(i, textEnd));
      if (lt === -1) break;
      if (lt > lastGt) {
        // No tag can close after this point: the rest is text, as written.
        this.text(html.slice(lt));
        break;
      }
      i = this.markup(html, lt);
    }
    this.finishAnchor();
    this.finishPre();
    return tidy(this.out);
  }

  /** Parses the markup starting at `<` (index `at`); returns where text resumes. */
  private markup(html: string, at: number): number {
    const next = html[at + 1] ?? '';
    if (html.startsWith('<!--', at)) {
      const end = html.indexOf('-->', at + 4);
      return end === -1 ? html.length : end + 3;
    }
    if (next === '!' || next === '?') {
      const end = html.indexOf('>', at);
      return end === -1 ? html.length : end + 1;
    }
    const closing = next === '/';
    const nameStart = closing ? at + 2 : at + 1;
    const name = /^[A-Za-z][A-Za-z0-9-]*/.exec(html.slice(nameStart, nameStart + 64))?.[0];
    if (!name) {
      this.text('<');
      return at + 1;
    }
    const tag = readTag(html, nameStart + name.length);
    if (!tag) {
      // An unterminated tag: show what follows as text rather than guess.
      this.text(html.slice(at));
      return html.length;
    }
    const lower = name.toLowerCase();
    if (closing) this.close(lower);
    else this.open(lower, tag.attributes, tag.selfClosing);
    if (
      !closing &&
      !tag.selfClosing &&
      this.skip?.tag === lower &&
      RAW_TEXT.has(lower) &&
      this.skip.depth === 1
    ) {
      // Raw text element: its content is not markup; jump to its closing tag.
      const closer = new RegExp(`</${lower}`, 'ig');
      closer.lastIndex = tag.end;
      return closer.exec(html)?.index ?? html.length;
    }
    return tag.end;
  }

  private open(tag: string, attributes: ReadonlyMap<string, string>, selfClosing: boolean): void {
    if (this.skip) {
      if (tag === this.skip.tag && !selfClosing) this.skip.depth += 1;
      return;
    }
    if (DROPPED.has(tag)) {
      if (!selfClosing) this.skip = { tag, depth: 1 };
      return;
    }
    if (this.pre) {
      if (tag === 'br') this.pre.text += '\n';
      if (tag === 'code' && this.pre.language === undefined) this.pre.language = languageOf(attributes);
      return;
    }
    if (tag === 'br') {
      this.lineBreak();
      return;
    }
    if (tag === 'img') {
      const alt = attributes.get('alt') ?? attributes.get('title');
      if (alt) this.text(alt);
      return;
    }
    if (tag === 'hr') {
      this.block();
      return;
    }
    if (tag === 'pre') {
      this.finishAnchor();
      this.block();
      this.pre = { text: '', language: undefined };
      return;
    }
    if ((tag === 'td' || tag === 'th') && this.lineHasContent) this.pendingSpace = {};
    if (VOID.has(tag) || selfClosing) return;
    if (this.stack.length >= MAX_DEPTH) {
      this.overflow += 1;
      return;
    }
    const frame = this.frameFor(tag, attributes);
    if (frame.block) this.block();
    if (frame.item) {
      const list = [...this.stack].reverse().find((candidate) => candidate.list)?.list;
      const depth = this.stack.filter((candidate) => candidate.list).length;
      const marker = list?.ordered ? `${list.next++}. ` : '• ';
      this.pendingBullet = '  '.repeat(Math.max(0, depth - 1)) + marker;
    }
    if (tag === 'a' && !this.anchor) this.anchor = { href: attributes.get('href'), label: '' };
    this.stack.push(frame);
  }

  private frameFor(tag: string, attributes: ReadonlyMap<string, string>): Frame {
    const block = BLOCK.has(tag);
    if (tag === 'font' || tag === 'span') {
      const fg = nearestMircColour(attributes.get('data-mx-color') ?? attributes.get('color'));
      const bg = nearestMircColour(attributes.get('data-mx-bg-color'));
      const color = { ...(fg === undefined ? {} : { fg }), ...(bg === undefined ? {} : { bg }) };
      return fg === undefined && bg === undefined ? { tag } : { tag, style: { color } };
    }
    if (tag === 'ul' || tag === 'ol') {
      const start = Number(attributes.get('start') ?? '1');
      return { tag, block, list: { ordered: tag === 'ol', next: Number.isSafeInteger(start) ? start : 1 } };
    }
    const style = INLINE_STYLE[tag];
    return {
      tag,
      ...(style ? { style } : {}),
      ...(block ? { block } : {}),
      ...(tag === 'blockquote' ? { quote: true } : {}),
      ...(tag === 'li' ? { item: true } : {}),
    };
  }

  private close(tag: string): void {
    if (this.skip) {
      if (tag === this.skip.tag) this.skip.depth -= 1;
      if (this.skip.depth === 0) this.skip = undefined;
      return;
    }
    if (this.pre) {
      if (tag === 'pre') this.finishPre();
      return;
    }
    if (this.overflow > 0) {
      this.overflow -= 1;
      return;
    }
    const index = this.stack.map((frame) => frame.tag).lastIndexOf(tag);
    if (index === -1) return;
    const closed = this.stack.splice(index);
    if (closed.some((frame) => frame.tag === 'a')) this.finishAnchor();
    if (closed.some((frame) => frame.block)) this.block();
  }

  private text(raw: string): void {
    if (this.skip) return;
    const decoded = decodeEntities(raw);
    if (this.pre) {
      this.pre.text += decoded;
      return;
    }
    const collapsed = decoded.replace(HTML_SPACE, ' ').replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
    if (this.anchor) {
      this.anchor.label += collapsed;
      return;
    }
    const words = collapsed.split(' ');
    words.forEach((word, index) => {
      if (index > 0) this.pendingSpace = this.styled();
      if (word.length > 0) this.emit({ kind: 'text', text: word, ...this.styled() });
    });
  }

  private styled(): { style?: TextStyle } {
    let style: TextStyle = {};
    for (const frame of this.stack) {
      if (frame.style)
        style = {
          ...style,
          ...frame.style,
          ...(frame.style.color ? { color: { ...style.color, ...frame.style.color } } : {}),
        };
    }
    return Object.keys(style).length > 0 ? { style } : {};
  }

  /** Emits an inline segment, after whatever line break, quote marker, bullet or space is owed. */
  private emit(segment: Segment): void {
    if (this.pendingBreak && this.lineHasContent) this.out.push({ kind: 'line-break' });
    if (this.pendingBreak || !this.lineHasContent) {
      this.pendingBreak = false;
      this.pendingSpace = undefined;
      const depth = this.stack.filter((frame) => frame.quote).length;
      if (depth > 0) this.out.push({ kind: 'text', text: '> '.repeat(depth) });
      if (this.pendingBullet !== undefined) this.out.push({ kind: 'text', text: this.pendingBullet });
      this.pendingBullet = undefined;
    }
    if (this.pendingSpace) this.out.push({ kind: 'text', text: ' ', ...this.pendingSpace });
    this.pendingSpace = undefined;
    this.out.push(segment);
    this.lineHasContent = true;
  }

  private lineBreak(): void {
    if (this.anchor) {
      this.anchor.label += ' ';
      return;
    }
    this.pendingBreak = false;
    this.pendingSpace = undefined;
    this.out.push({ kind: 'line-break' });
    this.lineHasContent = false;
  }

  /** A block boundary: the next content starts on a new line (no empty line, no leading break). */
  private block(): void {
    this.pendingBreak = true;
  }

  private finishAnchor(): void {
    const anchor = this.anchor;
    if (!anchor) return;
    this.anchor = undefined;
    const label = anchor.label.trim();
    const href = anchor.href?.trim();
    const userId = href === undefined ? undefined : userIdOf(href);
    if (userId) {
      const person: PersonRef = { name: label || userId, matrix: { userId } };
      this.emit({ kind: 'mention', person });
    } else if (href && SAFE_LINK.test(href) && !HAS_CONTROL.test(href)) {
      this.emit(label && label !== href ? { kind: 'link', url: href, label } : { kind: 'link', url: href });
    } else if (label) {
      this.emit({ kind: 'text', text: label, ...this.styled() });
    }
  }

  private finishPre(): void {
    const pre = this.pre;
    if (!pre) return;
    this.pre = undefined;
    const text = pre.text
      .replace(/\r\n?|[\u2028\u2029]/g, '\n')
      .replace(/\t/g, '    ')
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
      .replace(LONE_SURROGATE, '\ufffd')
      .replace(/^\n/, '')
      .replace(/\n+$/, '');
    if (text.trim().length > 0) {
      // A code block is a block of its own: no line breaks around it (renderers put it on its own lines).
      this.out.push(
        pre.language ? { kind: 'code-block', text, language: pre.language } : { kind: 'code-block', text },
      );
      this.lineHasContent = false;
    }
    this.pendingBreak = false;
    this.pendingSpace = undefined;
  }
}

function userIdOf(href: string): string | undefined {
  const match = MATRIX_TO_USER.exec(href) ?? MATRIX_URI_USER.exec(href);
  if (!match) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(match[1] as string);
  } catch {
    return undefined;
  }
  if (!id.startsWith('@')) id = `@${id}`;
  return USER_ID.test(id) && !HAS_CONTROL.test(id) ? id : undefined;
}

function languageOf(attributes: ReadonlyMap<string, string>): string | undefined {
  const language = /(?:^|\s)language-(\S+)/.exec(attributes.get('class') ?? '')?.[1];
  return language !== undefined && LANGUAGE.test(language) ? language : undefined;
}

interface ParsedTag {
  readonly attributes: ReadonlyMap<string, string>;
  readonly selfClosing: boolean;
  /** Index just after the closing `>`. */
  readonly end: number;
}

/** Reads attributes from just after a tag name up to its `>`; undefined if the input ends first. */
function readTag(html: string, from: number): ParsedTag | undefined {
  const attributes = new Map<string, string>();
  let i = from;
  let selfClosing = false;
  while (i < html.length) {
    const c = html[i] as string;
    if (c === '>') return { attributes, selfClosing, end: i + 1 };
    if (c === '/') {
      selfClosing = html[i + 1] === '>';
      i += 1;
      continue;
    }
    if (/[\s]/.test(c)) {
      i += 1;
      continue;
    }
    const nameEnd = scan(html, i, (ch) => !/[\s/>=]/.test(ch));
    const name = html.slice(i, nameEnd).toLowerCase();
    i = scan(html, nameEnd, (ch) => /\s/.test(ch));
    if (html[i] !== '=') {
      if (!attributes.has(name)) attributes.set(name, '');
      continue;
    }
    i = scan(html, i + 1, (ch) => /\s/.test(ch));
    const quote = html[i];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = html.indexOf(quote, i + 1);
      if (close === -1) return undefined;
      value = html.slice(i + 1, close);
      i = close + 1;
    } else {
      const valueEnd = scan(html, i, (ch) => !/[\s>]/.test(ch));
      value = html.slice(i, valueEnd);
      i = valueEnd;
    }
    if (!attributes.has(name)) attributes.set(name, decodeEntities(value));
  }
  return undefined;
}

function scan(html: string, from: number, keep: (ch: string) => boolean): number {
  let i = from;
  while (i < html.length && keep(html[i] as string)) i += 1;
  return i;
}

/** Merges neighbouring text of the same style and trims line breaks at both ends. */
function tidy(segments: readonly Segment[]): RichText {
  const out: Segment[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (segment.kind === 'text' && last?.kind === 'text' && sameStyle(last.style, segment.style)) {
      out[out.length - 1] = { ...last, text: last.text + segment.text };
    } else if (segment.kind !== 'text' || segment.text.length > 0) {
      out.push(segment);
    }
  }
  while (out[0]?.kind === 'line-break') out.shift();
  while (out.at(-1)?.kind === 'line-break') out.pop();
  return out;
}

export function sameStyle(a: TextStyle | undefined, b: TextStyle | undefined): boolean {
  return JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});
}
