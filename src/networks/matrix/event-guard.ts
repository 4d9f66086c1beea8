/**
 * Which events are fresh enough to act on. A first /sync (no token, or a lost one) replays recent history
 * as if it were new, a token from before a downtime delivers what was said meanwhile, and a room joined
 * just now arrives with its earlier history: none of that may run a command. An event counts if it was
 * sent after the bot started and was said while the bot was in its room, and one more case: a sync from a stored
 * token also brings again what the previous run received but had not finished handling when it died
 * (the token is saved only after a batch is handled, and batches are handled one at a time). The ids of
 * those that may make firebell act (`mayAct`: commands, reactions, notices, memberships) were stored
 * before the previous run began handling them (`received`), and they count: that is how a command caught
 * by a crash still runs. Plain chat is only relayed, at most once, so its ids are not stored: a batch of
 * chat alone is handled without waiting for a commit (an fsync before every relayed line), and after a
 * crash it is history rather than relayed a second time. Anything else from before the start was said
 * while the bot was down, and is history.
 *
 * That an event runs only once is the core's business: the adapter gives each message its event id as
 * `durableId`, and the core records it as handled in the same commit as what it caused (core/inbound.ts),
 * so a replayed event that was committed is skipped there, and one that was not runs again.
 *
 * Send times come from the homeserver's `unsigned.age` where present: "now minus age" is in the bot's own
 * clock, so skew between the two machines cannot make a fresh command look old or an old one fresh.
 *
 * The join is judged by position, not time: a newly joined room's first batch holds the history before
 * the bot's own join event, and everything after that event (in the batch or later ones) was said with
 * the bot in the room. Times would mislead here: ages read from a sync the bot took late all drift later
 * together, and a repeated join request (answered without a new membership) says nothing about when the
 * bot got in; comparing either with the bot's clock dropped commands said just after a real join.
 */
import { parseCommand } from '../../core/commands/parse.js';
import type { KeyValueStore } from '../../core/store.js';
import { interpret } from './inbound.js';
import { roomsOf, type RawEvent, type SyncResponse } from './sync-client.js';

/** Key (in `<namespace>:sync`) of the ids of a batch's events, stored before they are handled. */
const RECEIVED = 'received';

export class EventGuard {
  /** Ids of the current batch's events said while the bot was not in their room. */
  private saidWhileAway = new Set<string>();

  /**
   * `received`: the ids of the events of the batch the previous run began to handle last. They count even
   * in a fresh snapshot (a first sync that never finished leaves no token): only a crash leaves them
   * unhandled, and the core skips those that were handled after all.
   */
  constructor(
    private readonly startedAt: number,
    private readonly received: ReadonlySet<string> = new Set(),
  ) {}

  /** When the event was sent, in the bot's clock, given when the sync response carrying it arrived. */
  sentAt(event: RawEvent, receivedAt: number): number {
    const age = event.unsigned?.age;
    return typeof age === 'number' && age >= 0 ? receivedAt - age : event.origin_server_ts;
  }

  /**
   * Reads a batch before it is handled: what was said while the bot was not in the room is history. In a
   * room the bot was not in before the batch (`wasJoined`), that is everything before its own last join
   * (a membership that was not a join before); a join in the batch's state, not its timeline, happened
   * before everything the timeline holds. In a room it was in, only what follows its leaving (a kick, in
   * the `leave` section or followed by a rejoin in the same batch) until it is back: a command said just
   * before the kick was said to the bot.
   */
  observeBatch(batch: SyncResponse, userId: string, wasJoined: (roomId: string) => boolean): void {
    this.saidWhileAway = new Set();
    for (const [roomId, room] of roomsOf(batch)) {
      const timeline = room.timeline?.events ?? [];
      const joinedBefore = wasJoined(roomId);
      const lastJoin = timeline.findLastIndex((event) => isOwnJoin(event, userId));
      let inRoom = joinedBefore || lastJoin < 0;
      timeline.forEach((event, index) => {
        const membership = ownMembership(event, userId);
        if (membership !== undefined && (joinedBefore || index >= lastJoin)) inRoom = membership === 'join';
        if (!inRoom) this.saidWhileAway.add(event.event_id);
      });
    }
  }

  isStale(event: RawEvent, receivedAt: number): boolean {
    if (this.saidWhileAway.has(event.event_id)) return true;
    if (this.sentAt(event, receivedAt) >= this.startedAt) return false;
    return !this.received.has(event.event_id);
  }
}

/** The bot's own membership event that got it into the room (a display-name change is a join too). */
export function isOwnJoin(event: RawEvent, userId: string): boolean {
  return (
    event.type === 'm.room.member' &&
    event.state_key === userId &&
    event.content.membership === 'join' &&
    event.unsigned?.prev_content?.membership !== 'join'
  );
}

/** The membership the bot's own member event gives it, if the event is that. */
function ownMembership(event: RawEvent, userId: string): unknown {
  return event.type === 'm.room.member' && event.state_key === userId ? event.content.membership : undefined;
}

/**
 * Whether handling the event may make firebell act (answer, change an incident, note a status): anything
 * but a plain message or emote that is not one of firebell's commands. Such chat is relayed and, at most,
 * answered with a hint for a near miss; losing that to a crash in the moment before its commit is the
 * relay's promise (at most once), while a command must run after all.
 */
export function mayAct(event: RawEvent): boolean {
  const meaning = interpret(event);
  if (meaning?.kind !== 'message' || meaning.style === 'notice') return true;
  return parseCommand(meaning.text).kind !== 'none';
}

/**
 * Stores the ids of the batch's room events that need it (`counts`: not history, not the bot's own, and
 * `mayAct`) before any of them is handled: after a crash they come again and still count, while what was
 * said meanwhile does not. Resolves once stored; at once when no event needs it.
 */
export async function storeReceived(
  kv: KeyValueStore,
  namespace: string,
  batch: SyncResponse,
  counts: (event: RawEvent) => boolean,
): Promise<void> {
  const ids = roomsOf(batch).flatMap(([, room]) =>
    (room.timeline?.events ?? []).filter(counts).map((event) => event.event_id),
  );
  if (ids.length === 0) return;
  kv.set(`${namespace}:sync`, RECEIVED, JSON.stringify(ids));
  await kv.flushed();
}

/** The batch is handled (and committed): its events are history again once the token moves past them. */
export function forgetReceived(kv: KeyValueStore, namespace: string): void {
  kv.delete(`${namespace}:sync`, RECEIVED);
}

/** What the previous run stored with `storeReceived` and did not forget: a crash interrupted the batch. */
export function previouslyReceived(kv: KeyValueStore, namespace: string): Set<string> {
  return parseReceived(kv.get(`${namespace}:sync`, RECEIVED));
}

/** The event ids stored before a batch was handled (JSON), or none when absent or unreadable. */
export function parseReceived(stored: string | undefined): Set<string> {
  try {
    const ids: unknown = JSON.parse(stored ?? '[]');
    return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}
