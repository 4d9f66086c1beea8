/**
 * Who a message is about or addressed to, on every network they have; its own file so that messages.ts and
 * rich-text.ts (which both speak of people) need not import each other.
 */
/** A person as the networks know them. A contact from contacts.yaml maps to one of these. */
export interface PersonRef {
  /** Human name, for rendering. */
  readonly name: string;
  /** The contact id from contacts.yaml when the person is a known contact. */
  readonly contactId?: string;
  readonly irc?: { readonly nick: string; readonly account?: string };
  readonly matrix?: { readonly userId: string };
  readonly shell?: { readonly user: string };
}
