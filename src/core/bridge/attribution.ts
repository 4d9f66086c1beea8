/**
 * Who said it, as the other side reads it. On IRC a relayed name must not highlight the IRC user who
 * happens to have that nick (a zero-width space inside every word of it, as matterbridge's
 * `{NOPINGNICK}` and heisenbridge's `use_zwsp` do); names are capped, and two Matrix members of one room
 * who share a display name are told apart by their Matrix id (heisenbridge's `use_disambiguation`), and
 * so is a Matrix member whose name only looks like another's, a contact's or a nick's (lookalikes.ts).
 * A name never holds `<` or `>`: the attribution `<name> ` ends at the first `>`, so a name `alice> bob`
 * would have IRC read bob's words as alice's (they become parentheses, as matterbridge's RELAYMSG replaces
 * what a nick cannot hold).
 */
import { BoundedMap } from '../bounded-map.js';
import { confusable, nameKeys, type NameKeys, type SeenName, type SeenNames } from './lookalikes.js';
import { singleLine } from './sanitize.js';

export const ZWSP = '\u200b';
export const MAX_NAME_LENGTH = 30;
const MAX_ID_LENGTH = 60;
/** Members remembered per room for disambiguation; the oldest speakers are forgotten first. */
const NAMES_PER_ROOM = 2000;

/**
 * `alice` → `a\u200blice`, in every run of two or more nick characters, so that no part of the name
 * (`@alice:example.org` included) matches a nick as IRC clients match highlights, on word boundaries.
 */
export function noHighlight(name: string): string {
  return name.replace(/[\p{L}\p{N}_\-[\]\\`^{|}]{2,}/gu, (word) => {
    const first = String.fromCodePoint(word.codePointAt(0) as number);
    return `${first}${ZWSP}${word.slice(first.length)}`;
  });
}

/** At most `max` characters (code points), with an ellipsis when cut. */
export function cap(value: string, max: number): string {
  const points = [...value];
  return points.length <= max ? value : `${points.slice(0, max - 1).join('')}…`;
}

/** Display names seen per room, from the people who spoke, joined or reacted there. */
export class RoomNames implements SeenNames {
  private readonly byRoom = new Map<string, BoundedMap<string, SeenName & { name: string }>>();

  /** `contactId`: the contact the sender verifiably is, whose own names elsewhere are no lookalikes. */
  observe(room: string, senderId: string, name: string, contactId?: string): void {
    let names = this.byRoom.get(room);
    if (!names) {
      names = new BoundedMap(NAMES_PER_ROOM);
      this.byRoom.set(room, names);
    }
    const shown = displayName(name, senderId);
    names.set(senderId, { name: shown, keys: nameKeys(shown), contactId });
  }

  forget(room: string, senderId: string): void {
    this.byRoom.get(room)?.delete(senderId);
  }

  nameOf(room: string, senderId: string): string | undefined {
    return this.byRoom.get(room)?.get(senderId)?.name;
  }

  *rooms(): Iterable<readonly [string, Iterable<SeenName>]> {
    for (const [room, names] of this.byRoom) yield [room, names.values()];
  }

  /**
   * The sender's name, with their id appended when another member of the room has a name that looks the
   * same, or when it looks like one of `besides` (names of others elsewhere: lookalikes.ts).
   */
  label(room: string, senderId: string, name: string, besides: Iterable<NameKeys> = []): string {
    const shown = displayName(name, senderId);
    const keys = nameKeys(shown);
    let shared = false;
    for (const [id, other] of this.byRoom.get(room)?.entries() ?? [])
      if (id !== senderId && confusable(other.keys, keys)) shared = true;
    for (const other of besides) if (!shared && confusable(other, keys)) shared = true;
    return shared && shown !== senderId ? `${shown} (${cap(singleLine(senderId), MAX_ID_LENGTH)})` : shown;
  }
}

/** A name as shown in an attribution: one clean line, without the `<` and `>` that delimit it, capped. */
export function displayName(name: string, senderId: string): string {
  const clean = (value: string): string => singleLine(value).replace(/</g, '(').replace(/>/g, ')');
  return cap(clean(name) || clean(senderId), MAX_NAME_LENGTH);
}
