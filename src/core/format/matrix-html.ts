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
import { MIRC_PALETTE } from './mirc-colours.js';
import { stripControls } from './controls.js';

export interface MatrixBodies {
  readonly body: string;
  readonly formatted_body: string;
}

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
