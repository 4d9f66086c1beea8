/**
 * Mentions across the bridge, only for known contacts (contacts.yaml): an IRC highlight of a contact's
 * nick becomes a Matrix mention of that contact (a pill and `m.mentions`), and a Matrix mention of a
 * contact becomes their IRC nick, which highlights them there. Anyone else is written as plain text:
 * relayed chat never pings a stranger by accident on either side.
 */
import { ircFold, matrixIdKey, type CaseFold } from '../casemapping.js';
import { personRefOf } from '../directory.js';
import type { PersonRef } from '../messages.js';
import type { RichText, Segment } from '../rich-text.js';
import { noHighlight } from './attribution.js';
import type { Contact } from '../settings.js';

const NICK_CHAR = /[A-Za-z0-9[\]\\`_^{|}-]/;

export class ContactMentions {
  /** Contacts with both an IRC nick and a Matrix id, longest nick first (so `ana_` wins over `ana`). */
  private readonly bridged: readonly { readonly nick: string; readonly person: PersonRef }[];
  /** The bridged nicks folded by one mapping, for the last mapping asked for. */
  private folded:
    { fold: CaseFold; nicks: readonly { readonly nick: string; readonly person: PersonRef }[] } | undefined;
  private readonly byMatrixId: ReadonlyMap<string, Contact>;

  constructor(contacts: readonly Contact[]) {
    this.bridged = contacts
      .flatMap((contact) =>
        contact.irc && contact.matrix
          ? [{ nick: contact.irc.nick ?? contact.irc.account, person: personRefOf(contact) }]
          : [],
      )
      .sort((a, b) => b.nick.length - a.nick.length);
    this.byMatrixId = new Map(
      contacts.flatMap((contact) => (contact.matrix ? [[matrixIdKey(contact.matrix), contact]] : [])),
    );
  }

  /**
   * IRC text → the same text with highlights of bridged contacts as mention segments; nicks compare by
   * `fold`, the case mapping of the server the text came from.
   */
  highlightsToMentions(body: RichText, fold: CaseFold = ircFold): Segment[] {
    if (this.bridged.length === 0) return [...body];
    return body.flatMap((segment) =>
      segment.kind === 'text' && !segment.style?.monospace
        ? this.split(segment.text, segment, fold)
        : [segment],
    );
  }

  /**
   * Mentions as a target network can show them: for IRC the contact's nick (a deliberate highlight) or
   * the name made unhighlightable; for Matrix the contact as a mention, or the name as text.
   */
  forTarget(
    body: RichText,
    kind: 'irc' | 'matrix' | 'plain',
    nameOf: (userId: string) => string | undefined,
  ): Segment[] {
    return body.map((segment): Segment => {
      if (segment.kind !== 'mention') return segment;
      const userId = segment.person.matrix?.userId;
      const contact = userId === undefined ? undefined : this.byMatrixId.get(matrixIdKey(userId));
      const name = (userId === undefined ? undefined : nameOf(userId)) ?? segment.person.name;
      if (kind === 'irc') {
        const nick = contact?.irc ? (contact.irc.nick ?? contact.irc.account) : undefined;
        return { kind: 'text', text: nick ?? noHighlight(name) };
      }
      if (kind === 'matrix' && contact) return { kind: 'mention', person: personRefOf(contact) };
      return { kind: 'text', text: name };
    });
  }

  private split(text: string, segment: Extract<Segment, { kind: 'text' }>, fold: CaseFold): Segment[] {
    const folded = fold(text);
    const bridged = this.foldedNicks(fold);
    const out: Segment[] = [];
    let from = 0;
    let i = 0;
    while (i < text.length) {
      const before = i === 0 ? '' : (text[i - 1] as string);
      const hit = NICK_CHAR.test(before)
        ? undefined
        : bridged.find(
            ({ nick }) => folded.startsWith(nick, i) && !NICK_CHAR.test(text[i + nick.length] ?? ''),
          );
      if (!hit) {
        i += 1;
        continue;
      }
      if (i > from) out.push({ ...segment, text: text.slice(from, i) });
      out.push({ kind: 'mention', person: hit.person });
      i += hit.nick.length;
      from = i;
    }
    if (from === 0) return [segment];
    if (from < text.length) out.push({ ...segment, text: text.slice(from) });
    return out;
  }

  private foldedNicks(fold: CaseFold): readonly { readonly nick: string; readonly person: PersonRef }[] {
    if (this.folded?.fold !== fold)
      this.folded = { fold, nicks: this.bridged.map(({ nick, person }) => ({ nick: fold(nick), person })) };
    return this.folded.nicks;
  }
}
