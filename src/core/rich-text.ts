/**
 * Text as firebell writes it once, before any protocol sees it. Each network adapter renders it: IRC with
 * formatting codes, Matrix as HTML with `m.mentions`, the shell as plain text. Relayed messages are parsed
 * into the same shape, so conversion between IRC codes and HTML always goes through here.
 */
import type { PersonRef } from './person-ref.js';

export interface TextStyle {
  readonly bold?: true;
  readonly italic?: true;
  readonly underline?: true;
  readonly strikethrough?: true;
  readonly monospace?: true;
  /** mIRC palette indexes (0-98); Matrix renders them as hex colours. */
  readonly color?: { readonly fg?: number; readonly bg?: number };
}

export type Segment =
  | { readonly kind: 'text'; readonly text: string; readonly style?: TextStyle }
  | { readonly kind: 'link'; readonly url: string; readonly label?: string }
  /** A highlight: pings the person on every network that renders it (IRC nick, Matrix pill + m.mentions). */
  | { readonly kind: 'mention'; readonly person: PersonRef }
  | { readonly kind: 'code-block'; readonly text: string; readonly language?: string }
  | { readonly kind: 'line-break' };

export type RichText = readonly Segment[];

export const text = (value: string, style?: TextStyle): Segment =>
  style ? { kind: 'text', text: value, style } : { kind: 'text', text: value };
export const bold = (value: string): Segment => text(value, { bold: true });
export const code = (value: string): Segment => text(value, { monospace: true });
export const link = (url: string, label?: string): Segment =>
  label === undefined ? { kind: 'link', url } : { kind: 'link', url, label };
export const mention = (person: PersonRef): Segment => ({ kind: 'mention', person });
export const lineBreak: Segment = { kind: 'line-break' };

/** Builds rich text from a mix of strings and segments: `rich('Incident ', bold('#12'), ' declared')`. */
export function rich(...parts: ReadonlyArray<string | Segment | RichText>): RichText {
  const out: Segment[] = [];
  for (const part of parts) {
    if (typeof part === 'string') {
      if (part.length > 0) out.push(text(part));
    } else if (Array.isArray(part)) {
      out.push(...(part as RichText));
    } else {
      out.push(part as Segment);
    }
  }
  return out;
}

/** The people a message pings; Matrix puts exactly these in `m.mentions.user_ids`. */
export function mentionedPeople(body: RichText): PersonRef[] {
  return body.flatMap((segment) => (segment.kind === 'mention' ? [segment.person] : []));
}

/** Plain rendering, for the shell, logs and the plain-text body of Matrix messages. */
export function toPlainText(body: RichText): string {
  return body
    .map((segment) => {
      switch (segment.kind) {
        case 'text':
          return segment.text;
        case 'link':
          return segment.label && segment.label !== segment.url
            ? `${segment.label} (${segment.url})`
            : segment.url;
        case 'mention':
          return segment.person.name;
        case 'code-block':
          return `\n${segment.text}\n`;
        case 'line-break':
          return '\n';
      }
    })
    .join('');
}
