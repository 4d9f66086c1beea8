/**
 * The play book as a document written once, then rendered as Markdown or HTML. Inline text is the
 * core's RichText (bold, italic, code, links, line breaks), so both renderers escape the same content.
 */
import type { RichText } from '../core/rich-text.js';

/** How a table cell stands out: `gap` nobody on call is awake, `partial` nobody for part of the hour. */
export type CellTone = 'gap' | 'partial';

export interface Cell {
  readonly content: RichText;
  readonly tone?: CellTone;
  /** The cell holding the moment the play book describes ("now"): marked in both renderings. */
  readonly now?: boolean;
}

export type Block =
  | { readonly kind: 'paragraph'; readonly content: RichText }
  | { readonly kind: 'list'; readonly ordered: boolean; readonly items: readonly RichText[] }
  | {
      readonly kind: 'table';
      readonly head: readonly RichText[];
      readonly rows: readonly (readonly Cell[])[];
      /** The first cell of each row labels it (an hour, a name). */
      readonly rowHeaders?: boolean;
      /**
       * Many small cells (the 24 × 7 coverage grid): rendered smaller in HTML, and scrolled sideways
       * inside itself on a phone. Other tables reflow there, one card per row.
       */
      readonly dense?: boolean;
    }
  | { readonly kind: 'code'; readonly text: string }
  | { readonly kind: 'subheading'; readonly title: RichText; readonly id: string };

export interface Section {
  /** The anchor: `<playbookUrl>#whitelist`. Equal to the slug GitHub derives from the title. */
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface PlaybookDocument {
  readonly title: string;
  readonly intro: readonly Block[];
  /** The first section is what to do right now; it comes before the table of contents. */
  readonly sections: readonly Section[];
  /** For the people who maintain the page: how it was made and how to change it. At the very end. */
  readonly footer: readonly Block[];
}

export const paragraph = (content: RichText): Block => ({ kind: 'paragraph', content });
export const orderedList = (items: readonly RichText[]): Block => ({ kind: 'list', ordered: true, items });
export const bulletList = (items: readonly RichText[]): Block => ({ kind: 'list', ordered: false, items });
export const cell = (content: RichText, tone?: CellTone): Cell => (tone ? { content, tone } : { content });

/**
 * Links go only to the web, to mail, to an IRC channel, or to an anchor on the page: never `javascript:`
 * or `data:`.
 */
export const isSafeUrl = (url: string): boolean =>
  /^(https?:|mailto:|ircs?:\/\/)/i.test(url) || /^#[\w-]+$/.test(url);

/** GitHub's heading anchor for a title: lower case, punctuation dropped, spaces to hyphens. */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
