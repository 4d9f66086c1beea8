/**
 * RichText → the two bodies of a Matrix message: the plain `body` every client shows, and the
 * `formatted_body` in `org.matrix.custom.html` (CS API "m.room.message msgtypes", "HTML formatting").
 * Pure: everything that reaches the HTML is escaped, only the tags below are produced, and a link whose
 * scheme is not on the short safe list is rendered as text. Mentions become matrix.to pills for people
 * with a Matrix id; `m.mentions` is decided from the same segments (`mentionedUserIds`), so the pills and
 * the pings can never disagree.
 */
import type { RichText, Segment, TextStyle } from '../rich-text.js';
import { mentionedPeople, toPlainText } from '../rich-text.js';
import { stripControls } from './controls.js';

export interface MatrixBodies {
  readonly body: string;
  readonly formatted_body: string;
}

/** The mIRC palette (0-98, from the de-facto table at modern.ircdocs.horse) as hex, for `data-mx-color`. */
export const MIRC_PALETTE: readonly string[] = [
  // 0-15: the classic sixteen
  'ffffff 000000 00007f 009300 ff0000 7f0000 9c009c fc7f00 ffff00 00fc00 009393 00ffff 0000fc ff00ff 7f7f7f d2d2d2',
  // 16-98: the extended range, twelve per row
  '470000 472100 474700 324700 004700 00472c 004747 002747 000047 2e0047 470047 47002a',
  '740000 743a00 747400 517400 007400 007449 007474 004074 000074 4b0074 740074 740045',
  'b50000 b56300 b5b500 7db500 00b500 00b571 00b5b5 0063b5 0000b5 7500b5 b500b5 b5006b',
  'ff0000 ff8c00 ffff00 b2ff00 00ff00 00ffa0 00ffff 008cff 0000ff a500ff ff00ff ff0098',
  'ff5959 ffb459 ffff71 cfff60 6fff6f 65ffc9 6dffff 59b4ff 5959ff c459ff ff66ff ff59bc',
  'ff9c9c ffd39c ffff9c e2ff9c 9cff9c 9cffdb 9cffff 9cd3ff 9c9cff dc9cff ff9cff ff94d3',
  '000000 131313 282828 363636 4d4d4d 656565 818181 9f9f9f bcbcbc e2e2e2 ffffff',
]
  .join(' ')
  .split(' ');

const SAFE_LINK = /^(https?:|mailto:|matrix:)/i;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `https://matrix.to/#/@alice:example.org`, percent-encoding anything outside the id grammar. */
export function matrixToUserUrl(userId: string): string {
  return `https://matrix.to/#/${encodeURIComponent(userId).replace(/%40/g, '@').replace(/%3A/gi, ':')}`;
}

export function renderMatrixHtml(body: RichText): MatrixBodies {
  // Control characters (C0 but tab and line ends, DEL, C1) are nothing a message may carry.
  return {
    body: stripControls(toPlainText(body)),
    formatted_body: stripControls(body.map(segmentHtml).join('')),
  };
}

/** The Matrix user ids a message pings, each once: exactly the mentioned people who have one. */
export function mentionedUserIds(body: RichText): string[] {
  const ids = mentionedPeople(body).flatMap((person) => (person.matrix ? [person.matrix.userId] : []));
  return [...new Set(ids)];
}

function segmentHtml(segment: Segment): string {
  switch (segment.kind) {
    case 'text':
      return styled(lines(segment.text), segment.style);
    case 'link': {
      const label = escapeHtml(segment.label ?? segment.url);
      if (!SAFE_LINK.test(segment.url))
        return segment.label ? `${label} (${escapeHtml(segment.url)})` : label;
      return `<a href="${escapeHtml(segment.url)}">${label}</a>`;
    }
    case 'mention': {
      const name = escapeHtml(segment.person.name);
      const userId = segment.person.matrix?.userId;
      return userId ? `<a href="${escapeHtml(matrixToUserUrl(userId))}">${name}</a>` : name;
    }
    case 'code-block': {
      const language =
        segment.language && LANGUAGE.test(segment.language) ? ` class="language-${segment.language}"` : '';
      return `<pre><code${language}>${escapeHtml(segment.text)}</code></pre>`;
    }
    case 'line-break':
      return '<br>';
  }
}

function lines(value: string): string {
  return escapeHtml(value).replace(/\r?\n/g, '<br>');
}

function styled(html: string, style: TextStyle | undefined): string {
  if (!style || html.length === 0) return html;
  let out = html;
  if (style.monospace) out = `<code>${out}</code>`;
  if (style.bold) out = `<strong>${out}</strong>`;
  if (style.italic) out = `<em>${out}</em>`;
  if (style.underline) out = `<u>${out}</u>`;
  if (style.strikethrough) out = `<del>${out}</del>`;
  const fg = colour(style.color?.fg);
  const bg = colour(style.color?.bg);
  if (fg || bg) {
    const attributes = [fg ? ` data-mx-color="#${fg}"` : '', bg ? ` data-mx-bg-color="#${bg}"` : ''].join('');
    out = `<font${attributes}>${out}</font>`;
  }
  return out;
}

function colour(index: number | undefined): string | undefined {
  return index === undefined || !Number.isInteger(index) ? undefined : MIRC_PALETTE[index];
}
