/**
 * Names that look alike without being equal: a Matrix display name in Cyrillic `Аnа` reads as the contact
 * Ana on IRC, `аlice` as the IRC user alice. Two names are confusable when their UTS #39 skeletons (the
 * Unicode confusables mapping, via `unhomoglyph`, as matrix-js-sdk uses it to tell room members apart)
 * are equal, with case folded before the mapping or after it (`Il` and `il`, `I` and `l` all look alike).
 * The relayed name of someone confusable with a contact they are not, or with a name seen in another room
 * of the group, carries their Matrix id (attribution.ts); an IRC nick, which anyone may take, that looks
 * like a contact's carries what its user is logged in as, since on IRC only the services account is theirs.
 */
import unhomoglyph from 'unhomoglyph';
import type { Directory } from '../directory.js';
import type { Groups } from '../groups.js';
import type { ConversationRef, Sender } from '../messages.js';
import { ircAccountNames } from '../irc-accounts.js';
import type { IrcHandle } from '../settings.js';
import { singleLine } from './sanitize.js';

/** What a name is compared by. */
export type NameKeys = readonly [folded: string, mapped: string];

const skeleton = (value: string): string => unhomoglyph(value.normalize('NFD')).normalize('NFD');

export function nameKeys(name: string): NameKeys {
  return [skeleton(name.toLowerCase()), skeleton(name).toLowerCase()];
}

export function confusable(a: NameKeys, b: NameKeys): boolean {
  return a[0] === b[0] || a[1] === b[1];
}

/** A name seen in a room, and the contact who verifiably bore it. */
export interface SeenName {
  readonly keys: NameKeys;
  readonly contactId: string | undefined;
}

/** The names seen per room (RoomNames), by `conversationKey`. */
export interface SeenNames {
  observe(room: string, senderId: string, name: string, contactId?: string): void;
  rooms(): Iterable<readonly [room: string, names: Iterable<SeenName>]>;
}

/** A contact's IRC nicks: the one they use, or else their account on each network (the nick there). */
function ircNamesOf(irc: IrcHandle): string[] {
  return irc.nick === undefined ? ircAccountNames(irc) : [irc.nick];
}

export class Lookalikes {
  /** Each contact's name and IRC nick, by contact id. */
  private readonly contacts: ReadonlyMap<string, readonly NameKeys[]>;

  constructor(
    private readonly directory: Directory,
    private readonly groups: Groups,
    private readonly seen: SeenNames,
  ) {
    this.contacts = new Map(
      directory.contacts.map((contact) => [
        contact.id,
        [contact.name, ...(contact.irc ? ircNamesOf(contact.irc) : [])].map(nameKeys),
      ]),
    );
  }

  /** The id of the contact a sender verifiably is. */
  contactOf(source: ConversationRef, sender: Sender): string | undefined {
    return this.directory.contactOf(source.network, sender)?.id;
  }

  /** `sender` spoke or joined in `room` (`source`): their name is remembered, with their contact. */
  observe(room: string, source: ConversationRef, sender: Sender): void {
    this.seen.observe(room, sender.id, sender.name, this.contactOf(source, sender));
  }

  /**
   * `shown`, the name of a sender without a Matrix id to tell them apart (an IRC nick), with what they are
   * logged in as when it looks like the name or nick of a contact they are not: `ana (not identified)`.
   */
  marked(source: ConversationRef, sender: Sender, shown: string): string {
    const keys = nameKeys(shown);
    const own = this.contactOf(source, sender);
    for (const [id, contact] of this.contacts)
      if (id !== own && contact.some((other) => confusable(other, keys))) {
        const verified = sender.account !== undefined && sender.verification !== 'none';
        return `${shown} (${verified ? `account ${singleLine(sender.account as string)}` : 'not identified'})`;
      }
    return shown;
  }

  /**
   * The names a sender's must not look like: the contacts they are not, and whoever was seen in the other
   * rooms of the group (but the sender's own contact there: a person on both sides is not their own lookalike).
   */
  *besides(source: ConversationRef, sender: Sender): Iterable<NameKeys> {
    const own = this.contactOf(source, sender);
    for (const [id, keys] of this.contacts) if (id !== own) yield* keys;
    const group = this.groups.of(source);
    if (!group) return;
    for (const [room, names] of this.seen.rooms()) {
      const [network = '', id = ''] = room.split('\n');
      const elsewhere = network !== source.network || !this.groups.sameConversation(network, id, source.id);
      if (!elsewhere || this.groups.of({ network, id, direct: false })?.id !== group.id) continue;
      for (const seen of names) if (own === undefined || seen.contactId !== own) yield seen.keys;
    }
  }
}
