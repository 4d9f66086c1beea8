/**
 * Matrix `formatted_body` (org.matrix.custom.html, CS API "HTML formatting") → RichText, for relaying to
 * IRC. html-reader.ts reads the markup (htmlparser2); this file decides what each element means. It keeps
 * the tags the spec suggests (b, i, u, del, code, pre, a, br, p, li, blockquote, font/span colours),
 * reduces everything else to its text, drops `mx-reply` (the reply fallback) and the content of
 * script-like elements, and never produces protocol: text segments carry no control characters at all,
 * line breaks are `line-break` segments, and a code block's text has only LF. Markup left unterminated at
 * the end is shown as the text it is.
 */
import { decodeHTMLStrict } from 'entities';
import type { PersonRef } from '../messages.js';
import type { RichText, Segment, TextStyle } from '../rich-text.js';
import { readHtml, type HtmlReader } from './html-reader.js';
import { nearestMircColour } from './mirc-colours.js';

/** The spec recommends clients limit nesting to 100; deeper tags still yield their text. */
const MAX_DEPTH = 100;

/** Elements whose content is not text to show. */
const DROPPED = new Set(
  'mx-reply script style template head title iframe object svg math noscript'.split(' '),
);
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

/**
 * One open element, carrying what its ancestors make of the text inside it (style, quote and list depth),
 * so the text's look is read from the innermost frame alone.
 */
interface Frame {
  readonly tag: string;
  /** The style of text inside this element, ancestors included. */
  readonly style: TextStyle | undefined;
  readonly quoteDepth: number;
  /** The innermost list around (or opened by) this element, and how many lists deep it is. */
  readonly list: ListCounter | undefined;
  readonly listDepth: number;
  /** Inside an element whose content is not shown (mx-reply, script, …). */
  readonly dropped: boolean;
  /** Closing it ends a line. */
  readonly block: boolean;
  /** This element started the link being collected, or the code block being collected. */
  readonly startsAnchor?: true;
  readonly startsPre?: true;
}

interface ListCounter {
  readonly ordered: boolean;
  next: number;
}

interface Anchor {
  readonly href: string | undefined;
  label: string;
}

const ROOT: Frame = {
  tag: '',
  style: undefined,
  quoteDepth: 0,
  list: undefined,
  listDepth: 0,
  dropped: false,
  block: false,
};

export function matrixHtmlToRich(html: string): RichText {
  const converter = new Converter();
  const unterminated = readHtml(html, converter);
  return converter.finish(unterminated);
}

/**
 * `&amp;`, `&#38;`, `&#x26;` → `&`. Strictly: a reference without its `;` stays as written (`a&b`,
 * `&copy 2024`), as this converter has always read text.
 */
export function decodeEntities(value: string): string {
  return decodeHTMLStrict(value);
}

class Converter implements HtmlReader {
  private readonly out: Segment[] = [];
  /** Mirrors htmlparser2's open elements: every reported open pushes a frame, every close pops one. */
  private readonly stack: Frame[] = [ROOT];
  private lineHasContent = false;
  /** A collapsed run of whitespace owed before the next content, with the style it was seen in. */
  private pendingSpace: { style?: TextStyle } | undefined;
  private pendingBreak = false;
  private pendingBullet: string | undefined;
  private anchor: Anchor | undefined;
  private pre: { text: string; language: string | undefined } | undefined;

  openTag(tag: string, attributes: Readonly<Record<string, string>>): void {
    const parent = this.top();
    // Until it closes, this element only nests; the cases below give it a meaning.
    const inert = childOf(parent, tag);
    if (parent.dropped || DROPPED.has(tag)) {
      this.stack.push({ ...inert, dropped: true });
      return;
    }
    const attribute = (name: string): string | undefined => {
      const value = attributes[name];
      return value === undefined ? undefined : decodeEntities(value);
    };
    if (this.pre) {
      if (tag === 'br') this.pre.text += '\n';
      if (tag === 'code' && this.pre.language === undefined)
        this.pre.language = languageOf(attribute('class'));
      this.stack.push(inert);
      return;
    }
    if (tag === 'br') this.lineBreak();
    else if (tag === 'img') {
      const alt = attribute('alt') ?? attribute('title');
      if (alt) this.text(alt);
    } else if (tag === 'hr') this.block();
    else if (tag === 'pre') {
      this.finishAnchor();
      this.block();
      this.pre = { text: '', language: undefined };
      this.stack.push({ ...inert, startsPre: true });
      return;
    }
    if ((tag === 'td' || tag === 'th') && this.lineHasContent) this.pendingSpace = {};
    // Void elements (br, img, hr, …) are closed straight away; a frame of theirs has no meaning.
    if (['br', 'img', 'hr'].includes(tag) || this.stack.length > MAX_DEPTH) {
      this.stack.push(inert);
      return;
    }
    const frame = frameFor(inert, parent, attribute);
    if (frame.block) this.block();
    if (tag === 'li') {
      const marker = parent.list?.ordered ? `${parent.list.next++}. ` : '• ';
      this.pendingBullet = '  '.repeat(Math.max(0, parent.listDepth - 1)) + marker;
    }
    if (tag === 'a' && !this.anchor) {
      this.anchor = { href: attribute('href'), label: '' };
      this.stack.push({ ...frame, startsAnchor: true });
      return;
    }
    this.stack.push(frame);
  }

  /** What closing these elements means: a finished code block or link, and the end of a line. */
  closeTags(tags: readonly string[]): void {
    const closed: Frame[] = [];
    for (const tag of tags) {
      if (this.stack.length > 1 && this.top().tag === tag) closed.push(this.stack.pop() as Frame);
    }
    if (closed.some((frame) => frame.startsPre)) this.finishPre();
    if (closed.some((frame) => frame.startsAnchor)) this.finishAnchor();
    if (closed.some((frame) => frame.block && !frame.dropped)) this.block();
  }

  /** Shows the unterminated markup as text where it stands, and ends what is still open. */
  finish(unterminated: string): RichText {
    this.text(unterminated);
    this.finishAnchor();
    this.finishPre();
    return tidy(this.out);
  }

  private top(): Frame {
    return this.stack.at(-1) as Frame;
  }

  text(raw: string): void {
    if (this.top().dropped) return;
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
    const style = this.top().style;
    return style ? { style } : {};
  }

  /** Emits an inline segment, after whatever line break, quote marker, bullet or space is owed. */
  private emit(segment: Segment): void {
    if (this.pendingBreak && this.lineHasContent) this.out.push({ kind: 'line-break' });
    if (this.pendingBreak || !this.lineHasContent) {
      this.pendingBreak = false;
      this.pendingSpace = undefined;
      const depth = this.top().quoteDepth;
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

/** The meaning of an element that styles, quotes, lists or breaks what it holds. */
function frameFor(inert: Frame, parent: Frame, attribute: (name: string) => string | undefined): Frame {
  const tag = inert.tag;
  const frame: Frame = {
    ...inert,
    block: BLOCK.has(tag),
    quoteDepth: parent.quoteDepth + (tag === 'blockquote' ? 1 : 0),
  };
  if (tag === 'font' || tag === 'span') {
    const fg = nearestMircColour(attribute('data-mx-color') ?? attribute('color'));
    const bg = nearestMircColour(attribute('data-mx-bg-color'));
    const color = { ...(fg === undefined ? {} : { fg }), ...(bg === undefined ? {} : { bg }) };
    return fg === undefined && bg === undefined
      ? frame
      : { ...frame, style: withStyle(parent.style, { color }) };
  }
  if (tag === 'ul' || tag === 'ol') {
    const start = Number(attribute('start') ?? '1');
    const list = { ordered: tag === 'ol', next: Number.isSafeInteger(start) ? start : 1 };
    return { ...frame, list, listDepth: parent.listDepth + 1 };
  }
  const style = INLINE_STYLE[tag];
  return style ? { ...frame, style: withStyle(parent.style, style) } : frame;
}

/** A frame for `tag` inside `parent`: the same look, none of the parent's own meaning. */
function childOf(parent: Frame, tag: string): Frame {
  const { style, quoteDepth, list, listDepth, dropped } = parent;
  return { tag, style, quoteDepth, list, listDepth, dropped, block: false };
}

function withStyle(outer: TextStyle | undefined, inner: TextStyle): TextStyle {
  return {
    ...outer,
    ...inner,
    ...(inner.color ? { color: { ...outer?.color, ...inner.color } } : {}),
  };
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

function languageOf(className: string | undefined): string | undefined {
  const language = /(?:^|\s)language-(\S+)/.exec(className ?? '')?.[1];
  return language !== undefined && LANGUAGE.test(language) ? language : undefined;
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
