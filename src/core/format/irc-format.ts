/**
 * RichText ⇄ IRC formatting codes. Pure: the IRC adapter renders outgoing messages with `renderIrc` and
 * parses incoming text with `parseIrc`; the bridge reuses both. The codes follow the de-facto standard
 * described at https://modern.ircdocs.horse/formatting.html.
 */
import type { PersonRef } from '../messages.js';
import type { RichText, Segment, TextStyle } from '../rich-text.js';

export const IrcCode = {
  bold: '\x02',
  color: '\x03',
  hexColor: '\x04',
  reset: '\x0f',
  monospace: '\x11',
  reverse: '\x16',
  italic: '\x1d',
  strikethrough: '\x1e',
  underline: '\x1f',
} as const;

/** Control characters that are formatting, which outgoing text may keep. */
export const FORMATTING_CODES = new Set<string>(Object.values(IrcCode));

// ---------------------------------------------------------------- rendering

const twoDigits = (index: number): string => String(index).padStart(2, '0');

/** Always two digits, so a digit at the start of the text is never read as part of the colour. */
const colorDigits = (fg: number | undefined, bg: number | undefined): string =>
  twoDigits(fg ?? 99) + (bg === undefined ? '' : `,${twoDigits(bg)}`);

function openingCodes(style: TextStyle | undefined): string {
  if (!style) return '';
  let codes = '';
  if (style.bold) codes += IrcCode.bold;
  if (style.italic) codes += IrcCode.italic;
  if (style.underline) codes += IrcCode.underline;
  if (style.strikethrough) codes += IrcCode.strikethrough;
  if (style.monospace) codes += IrcCode.monospace;
  const { fg, bg } = style.color ?? {};
  if (fg !== undefined || bg !== undefined) codes += IrcCode.color + colorDigits(fg, bg);
  return codes;
}

/** Text of a RichText segment never carries protocol: controls (C0 and C1) go, CR/LF become line breaks. */
function plainContent(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, '');
}

function styled(value: string, style: TextStyle | undefined): string {
  const content = plainContent(value);
  const open = openingCodes(style);
  if (open === '') return content;
  // IRC clients reset formatting at the end of each line, so every line opens and closes its own style.
  return content
    .split('\n')
    .map((line) => (line === '' ? '' : open + line + IrcCode.reset))
    .join('\n');
}

/** The nick that highlights a person on IRC; the name only when no IRC handle is known. */
export function ircNickFor(person: PersonRef): string {
  return person.irc?.nick ?? person.name;
}

function renderSegment(segment: Segment, before: string): string {
  switch (segment.kind) {
    case 'text':
      return styled(segment.text, segment.style);
    case 'link': {
      const url = plainContent(segment.url).replace(/\n/g, '');
      const label = segment.label === undefined ? undefined : plainContent(segment.label);
      return label && label !== url ? `${label} (${url})` : url;
    }
    case 'mention':
      return plainContent(ircNickFor(segment.person));
    case 'code-block': {
      const startsLine = before === '' || before.endsWith('\n');
      return `${startsLine ? '' : '\n'}${plainContent(segment.text)}\n`;
    }
    case 'line-break':
      return '\n';
  }
}

/** Renders rich text as IRC text; `\n` separates the lines the adapter sends one by one. */
export function renderIrc(body: RichText): string {
  let out = '';
  for (const segment of body) out += renderSegment(segment, out);
  return out;
}

// ---------------------------------------------------------------- parsing

interface FormatState {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strikethrough: boolean;
  monospace: boolean;
  reverse: boolean;
  fg: number | undefined;
  bg: number | undefined;
  /** A hex colour code (\x04) as it appeared: it has no palette index, but a continuation line reopens it. */
  hexCode: string;
}

const emptyState = (): FormatState => ({
  bold: false,
  italic: false,
  underline: false,
  strikethrough: false,
  monospace: false,
  reverse: false,
  fg: undefined,
  bg: undefined,
  hexCode: '',
});

type Toggle = 'bold' | 'italic' | 'underline' | 'strikethrough' | 'monospace' | 'reverse';

const TOGGLES: Readonly<Record<string, Toggle>> = {
  [IrcCode.bold]: 'bold',
  [IrcCode.italic]: 'italic',
  [IrcCode.underline]: 'underline',
  [IrcCode.strikethrough]: 'strikethrough',
  [IrcCode.monospace]: 'monospace',
  [IrcCode.reverse]: 'reverse',
};

const COLOR = /^\x03(?:(\d{1,2})(?:,(\d{1,2}))?)?/;
const HEX_COLOR = /^\x04(?:([0-9a-fA-F]{6})(?:,([0-9a-fA-F]{6}))?)?/;

const paletteIndex = (digits: string | undefined): number | undefined => {
  if (digits === undefined) return undefined;
  const index = Number(digits);
  return index === 99 ? undefined : index; // 99 means "default colour"
};

/**
 * Walks IRC text, calling `onText` with each run of visible text and the formatting in force. Codes are
 * consumed with their parameters; other control characters are skipped.
 */
function scan(input: string, onText: (run: string, state: Readonly<FormatState>) => void): FormatState {
  const state = emptyState();
  let run = '';
  const flush = (): void => {
    if (run !== '') onText(run, state);
    run = '';
  };
  let i = 0;
  while (i < input.length) {
    const char = input[i] as string;
    const toggle = TOGGLES[char];
    if (toggle) {
      flush();
      state[toggle] = !state[toggle];
      i += 1;
    } else if (char === IrcCode.color || char === IrcCode.hexColor) {
      flush();
      const match = (char === IrcCode.color ? COLOR : HEX_COLOR).exec(input.slice(i)) as RegExpExecArray;
      const [code, fg, bg] = match;
      if (fg === undefined) {
        state.fg = undefined;
        state.bg = undefined;
        state.hexCode = '';
      } else if (char === IrcCode.color) {
        state.fg = paletteIndex(fg);
        if (bg !== undefined) state.bg = paletteIndex(bg);
        state.hexCode = '';
      } else {
        state.fg = undefined;
        state.bg = undefined;
        state.hexCode = code;
      }
      i += code.length;
    } else if (char === IrcCode.reset) {
      flush();
      Object.assign(state, emptyState());
      i += 1;
    } else if (char < ' ' || char === '\x7f') {
      i += 1;
    } else {
      run += char;
      i += 1;
    }
  }
  flush();
  return state;
}

function toTextStyle(state: Readonly<FormatState>): TextStyle | undefined {
  const style: {
    -readonly [K in keyof TextStyle]: TextStyle[K];
  } = {};
  if (state.bold) style.bold = true;
  if (state.italic) style.italic = true;
  if (state.underline) style.underline = true;
  if (state.strikethrough) style.strikethrough = true;
  if (state.monospace) style.monospace = true;
  if (state.fg !== undefined || state.bg !== undefined) {
    style.color = {
      ...(state.fg === undefined ? {} : { fg: state.fg }),
      ...(state.bg === undefined ? {} : { bg: state.bg }),
    };
  }
  return Object.keys(style).length > 0 ? style : undefined;
}

const sameStyle = (a: TextStyle | undefined, b: TextStyle | undefined): boolean =>
  JSON.stringify(a ?? {}) === JSON.stringify(b ?? {});

export interface ParsedIrcText {
  /** The text without any codes: what commands are parsed from. */
  readonly text: string;
  /** The text with its formatting. */
  readonly rich: RichText;
}

/** Parses incoming IRC text: formatting codes become styles, unknown control characters are dropped. */
export function parseIrc(input: string): ParsedIrcText {
  const segments: Segment[] = [];
  let text = '';
  scan(input, (run, state) => {
    text += run;
    const style = toTextStyle(state);
    const last = segments[segments.length - 1];
    if (last?.kind === 'text' && sameStyle(last.style, style)) {
      segments[segments.length - 1] = style
        ? { kind: 'text', text: last.text + run, style }
        : { kind: 'text', text: last.text + run };
    } else {
      segments.push(style ? { kind: 'text', text: run, style } : { kind: 'text', text: run });
    }
  });
  return { text, rich: segments };
}

/** Strips every formatting and control code. */
export const stripIrcFormatting = (input: string): string => parseIrc(input).text;

/** The codes that re-establish, at the start of a new line, the formatting in force at the end of `text`. */
export function reopenFormatting(text: string): string {
  const state = scan(text, () => undefined);
  let codes = '';
  for (const [code, key] of Object.entries(TOGGLES)) if (state[key]) codes += code;
  if (state.fg !== undefined || state.bg !== undefined)
    codes += IrcCode.color + colorDigits(state.fg, state.bg);
  return codes + state.hexCode;
}
