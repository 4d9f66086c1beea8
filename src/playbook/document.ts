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
      /** Many small cells: rendered smaller in HTML. */
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
  readonly sections: readonly Section[];
}

export const paragraph = (content: RichText): Block => ({ kind: 'paragraph', content });
export const orderedList = (items: readonly RichText[]): Block => ({ kind: 'list', ordered: true, items });
export const bulletList = (items: readonly RichText[]): Block => ({ kind: 'list', ordered: false, items });
export const cell = (content: RichText, tone?: CellTone): Cell => (tone ? { content, tone } : { content });

/** Links go only to the web, to mail, or to an anchor on the page: never `javascript:` or `data:`. */
export const isSafeUrl = (url: string): boolean => /^(https?:|mailto:)/i.test(url) || /^#[\w-]+$/.test(url);

/** GitHub's heading anchor for a title: lower case, punctuation dropped, spaces to hyphens. */
export function slug(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}
