/**
 * Who said it, as the other side reads it. On IRC a relayed name must not highlight the IRC user who
 * happens to have that nick (a zero-width space inside every word of it, as matterbridge's
 * `{NOPINGNICK}` and heisenbridge's `use_zwsp` do); names are capped, and two Matrix members of one room
 * who share a display name are told apart by their Matrix id (heisenbridge's `use_disambiguation`).
 * A name never holds `<` or `>`: the attribution `<name> ` ends at the first `>`, so a name `alice> bob`
 * would have IRC read bob's words as alice's (they become parentheses, as matterbridge's RELAYMSG replaces
 * what a nick cannot hold).
 */
import { BoundedMap } from '../bounded-map.js';
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
export class RoomNames {
  private readonly rooms = new Map<string, BoundedMap<string, string>>();

  observe(room: string, senderId: string, name: string): void {
    let names = this.rooms.get(room);
    if (!names) {
      names = new BoundedMap(NAMES_PER_ROOM);
      this.rooms.set(room, names);
    }
    names.set(senderId, displayName(name, senderId));
  }

  forget(room: string, senderId: string): void {
    this.rooms.get(room)?.delete(senderId);
  }

  nameOf(room: string, senderId: string): string | undefined {
    return this.rooms.get(room)?.get(senderId);
  }

  /** The sender's name, with their id appended when another member of the room shares it. */
  label(room: string, senderId: string, name: string): string {
    const shown = displayName(name, senderId);
    const names = this.rooms.get(room);
    const folded = shown.toLowerCase();
    let shared = false;
    for (const [id, other] of names ? names.entries() : []) {
      if (id !== senderId && other.toLowerCase() === folded) shared = true;
    }
    return shared && shown !== senderId ? `${shown} (${cap(singleLine(senderId), MAX_ID_LENGTH)})` : shown;
  }
}

/** A name as shown in an attribution: one clean line, without the `<` and `>` that delimit it, capped. */
export function displayName(name: string, senderId: string): string {
  const clean = (value: string): string => singleLine(value).replace(/</g, '(').replace(/>/g, ')');
  return cap(clean(name) || clean(senderId), MAX_NAME_LENGTH);
}
