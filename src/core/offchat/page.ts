/**
 * What a page off chat says, whichever way carries it (ntfy, e-mail): built by the core, rendered by each
 * channel. Plain text only: every channel escapes it for its own format, so nothing said in chat can inject
 * markup or headers into a push or a mail.
 */
export type OffChatPageKind = 'page' | 'reminder' | 'follow-up';

export interface OffChatPage {
  /** Who it is for: a contact id from contacts.yaml (the channel looks up the address at delivery). */
  readonly contactId: string;
  readonly incidentId: number;
  /** `page` and `reminder` ask for action (ntfy priority urgent and high); `follow-up` tells news (ack, resolve). */
  readonly kind: OffChatPageKind;
  /** One line: "#12 database down (ops)". */
  readonly title: string;
  /** A few lines of plain text: the summary, who declared it, how long it has waited. */
  readonly summary: string;
}

/** Strips what could break a single-line field elsewhere (CR, LF, other control characters). */
export const oneLine = (text: string): string =>
  text
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
