/**
 * One room of the test homeserver: its events in stream order and its current state, with the questions
 * the auth rules ask of them (membership, power levels, history visibility). Room version 10 semantics.
 */
import { stateKeyOf, type Content, type StoredEvent } from './events.js';

export type Membership = 'join' | 'invite' | 'leave' | 'ban' | 'knock';

// CS API v1.18 "m.room.power_levels": the defaults when the event exists but omits a key.
const POWER_DEFAULTS = {
  ban: 50,
  events_default: 0,
  invite: 0,
  kick: 50,
  redact: 50,
  state_default: 50,
  users_default: 0,
} as const;

export class Room {
  readonly events: StoredEvent[] = [];
  private readonly state = new Map<string, StoredEvent>();
  /** Each user's membership changes in stream order, so /sync need not scan the whole room. */
  private readonly memberships = new Map<string, Array<{ pos: number; membership: Membership }>>();

  constructor(
    readonly roomId: string,
    readonly version: string,
  ) {}

  append(event: StoredEvent): void {
    if (event.state_key !== undefined) {
      const key = stateKeyOf(event.type, event.state_key);
      const previous = this.state.get(key);
      if (previous) event.prevContent = previous.content;
      this.state.set(key, event);
      if (event.type === 'm.room.member') {
        const history = this.memberships.get(event.state_key) ?? [];
        history.push({ pos: event.pos, membership: event.content.membership as Membership });
        this.memberships.set(event.state_key, history);
      }
    }
    this.events.push(event);
  }

  stateEvent(type: string, stateKey = ''): StoredEvent | undefined {
    return this.state.get(stateKeyOf(type, stateKey));
  }

  stateEvents(): StoredEvent[] {
    return [...this.state.values()];
  }

  event(eventId: string): StoredEvent | undefined {
    return this.events.find((event) => event.event_id === eventId);
  }

  /**
   * The events relating to `eventId` (CS API v1.18 "Relationships": `m.relates_to.event_id`), of
   * `relType` when given, in stream order. A thread's fallback `m.in_reply_to` is no relation of its own.
   */
  relations(eventId: string, relType?: string): StoredEvent[] {
    return this.events.filter((event) => {
      const relation = relationOf(event.content);
      return relation?.event_id === eventId && (relType === undefined || relation.rel_type === relType);
    });
  }

  membership(userId: string): Membership | undefined {
    return this.stateEvent('m.room.member', userId)?.content.membership as Membership | undefined;
  }

  /** Membership as of stream position `pos` (inclusive): what a `since` token saw. */
  membershipAt(userId: string, pos: number): Membership | undefined {
    let membership: Membership | undefined;
    for (const change of this.memberships.get(userId) ?? []) {
      if (change.pos > pos) break;
      membership = change.membership;
    }
    return membership;
  }

  /** Events after stream position `pos`, found from the end (incremental syncs ask for few). */
  eventsAfter(pos: number): StoredEvent[] {
    let index = this.events.length;
    while (index > 0 && (this.events[index - 1] as StoredEvent).pos > pos) index -= 1;
    return this.events.slice(index);
  }

  members(membership: Membership = 'join'): string[] {
    return this.stateEvents()
      .filter((event) => event.type === 'm.room.member' && event.content.membership === membership)
      .map((event) => event.state_key as string);
  }

  /** Every state event as it stood just before stream position `pos`. */
  stateBefore(pos: number): StoredEvent[] {
    const state = new Map<string, StoredEvent>();
    for (const event of this.events) {
      if (event.pos >= pos) break;
      if (event.state_key !== undefined) state.set(stateKeyOf(event.type, event.state_key), event);
    }
    return [...state.values()];
  }

  powerLevels(): Content | undefined {
    return this.stateEvent('m.room.power_levels')?.content;
  }

  userLevel(userId: string): number {
    const levels = this.powerLevels();
    if (!levels) return this.stateEvent('m.room.create')?.sender === userId ? 100 : 0;
    const users = (levels.users ?? {}) as Record<string, number>;
    return users[userId] ?? numberOr(levels.users_default, POWER_DEFAULTS.users_default);
  }

  /** The level needed to send an event of `type` (auth rules: `events`, else state_default/events_default). */
  requiredLevel(type: string, isState: boolean): number {
    const levels = this.powerLevels();
    if (!levels) return 0;
    const events = (levels.events ?? {}) as Record<string, number>;
    if (events[type] !== undefined) return events[type];
    return isState
      ? numberOr(levels.state_default, POWER_DEFAULTS.state_default)
      : numberOr(levels.events_default, POWER_DEFAULTS.events_default);
  }

  actionLevel(action: 'invite' | 'kick' | 'ban' | 'redact'): number {
    return numberOr(this.powerLevels()?.[action], POWER_DEFAULTS[action]);
  }

  /** The stream position from which `userId` may see history (CS API v1.18 "Room History Visibility"). */
  visibleFrom(userId: string): number {
    const visibility = this.stateEvent('m.room.history_visibility')?.content.history_visibility ?? 'shared';
    if (visibility === 'shared' || visibility === 'world_readable') return 0;
    const member = [...this.events]
      .reverse()
      .find(
        (event) =>
          event.type === 'm.room.member' &&
          event.state_key === userId &&
          (event.content.membership === 'join' ||
            (visibility === 'invited' && event.content.membership === 'invite')),
      );
    return member?.pos ?? Number.MAX_SAFE_INTEGER;
  }
}

const numberOr = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** An event's `m.relates_to` with a `rel_type`, if it has one. */
export function relationOf(content: Content): { rel_type: string; event_id: unknown } | undefined {
  const relation = content['m.relates_to'];
  if (typeof relation !== 'object' || relation === null || Array.isArray(relation)) return undefined;
  const { rel_type: relType, event_id: eventId } = relation as Record<string, unknown>;
  return typeof relType === 'string' ? { rel_type: relType, event_id: eventId } : undefined;
}
