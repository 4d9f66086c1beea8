/**
 * CS API v1.18 "GET /_matrix/client/v3/sync": the initial snapshot and incremental deltas, with the
 * parts a bot depends on done faithfully: `since`/`next_batch`, long-poll `timeout`, `full_state`, the
 * timeline `limit` from the filter with the `limited` flag and `prev_batch`, state "between `since` and
 * the start of the timeline", newly joined rooms with the history their visibility allows, the
 * join/invite/leave sections, and global account data. Not modelled: ephemeral events, presence,
 * to-device, device lists, lazy-loading members, most of the filter language.
 */
import { clientEvent, strippedEvent, type Content, type StoredEvent } from './events.js';
import { invalidParam, notFound } from './errors.js';
import { deviceKey, type HomeserverModel, type Session } from './model.js';
import type { Room } from './room.js';

export interface SyncParams {
  readonly since?: string;
  readonly timeoutMs: number;
  readonly fullState: boolean;
  readonly filter?: string;
}

interface Filter {
  readonly timelineLimit: number;
  readonly includeLeave: boolean;
}

// Synapse's default when the filter gives no timeline limit.
const DEFAULT_TIMELINE_LIMIT = 10;

export async function sync(
  model: HomeserverModel,
  session: Session,
  params: SyncParams,
  now: () => number,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const since = parseSince(params.since);
  const filter = resolveFilter(model, session.userId, params.filter);
  let result = build(model, session, since, filter, params.fullState, now());
  // full_state ignores the timeout: "the query will return immediately, possibly with an empty timeline".
  if (!result.empty || params.timeoutMs <= 0 || params.fullState || since === undefined) return result.body;
  await new Promise<void>((resolve) => {
    const finish = (): void => {
      unsubscribe();
      clearTimeout(timer);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const unsubscribe = model.onChange(() => {
      result = build(model, session, since, filter, params.fullState, now());
      if (!result.empty) finish();
    });
    const timer = setTimeout(finish, params.timeoutMs);
    signal.addEventListener('abort', finish);
  });
  return result.body;
}

function parseSince(since: string | undefined): number | undefined {
  if (since === undefined || since === '') return undefined;
  const match = /^s(\d+)$/.exec(since);
  if (!match) throw invalidParam(`Invalid stream token: ${since}`);
  return Number(match[1]);
}

function resolveFilter(model: HomeserverModel, userId: string, filter: string | undefined): Filter {
  let definition: Content | undefined;
  if (filter === undefined || filter === '') definition = {};
  else if (filter.startsWith('{')) {
    try {
      definition = JSON.parse(filter) as Content;
    } catch {
      throw invalidParam('filter is not valid JSON');
    }
  } else {
    definition = model.getFilter(userId, filter);
    if (!definition) throw notFound(`No such filter: ${filter}`);
  }
  const room = (definition.room ?? {}) as Content;
  const timeline = (room.timeline ?? {}) as Content;
  return {
    timelineLimit: typeof timeline.limit === 'number' ? Math.max(1, timeline.limit) : DEFAULT_TIMELINE_LIMIT,
    includeLeave: room.include_leave === true,
  };
}

function build(
  model: HomeserverModel,
  session: Session,
  since: number | undefined,
  filter: Filter,
  fullState: boolean,
  now: number,
): { body: Record<string, unknown>; empty: boolean } {
  const viewer = { device: deviceKey(session), now };
  const serialise = (events: readonly StoredEvent[]): unknown[] =>
    events.map((event) => clientEvent(event, viewer, false));
  const join: Record<string, unknown> = {};
  const invite: Record<string, unknown> = {};
  const leave: Record<string, unknown> = {};
  const userId = session.userId;
  for (const room of model.roomsOf(userId)) {
    const membership = room.membership(userId);
    const then = since === undefined ? undefined : room.membershipAt(userId, since);
    const memberEvent = room.stateEvent('m.room.member', userId) as StoredEvent;
    if (membership === 'join') {
      const entry = joinedRoom(room, userId, since, then, filter, fullState, serialise);
      if (entry) join[room.roomId] = entry;
    } else if (membership === 'invite') {
      if (since === undefined || memberEvent.pos > since) {
        const stripped = room
          .stateEvents()
          .filter((event) => INVITE_STATE.includes(event.type) || event === memberEvent);
        invite[room.roomId] = { invite_state: { events: stripped.map(strippedEvent) } };
      }
    } else if (membership === 'leave' || membership === 'ban') {
      const wasThere = then === 'join' || then === 'invite';
      if (
        (since !== undefined && memberEvent.pos > since && wasThere) ||
        (since === undefined && filter.includeLeave)
      ) {
        const from = since ?? 0;
        const seen = room.events.filter(
          (event) =>
            event.pos > from && event.pos <= memberEvent.pos && (then === 'join' || event === memberEvent),
        );
        // The filter's timeline limit holds here as in `join`: the newest events, `limited` if more.
        const timeline = seen.slice(-filter.timelineLimit);
        const start = timeline[0]?.pos ?? from + 1;
        leave[room.roomId] = {
          timeline: {
            events: serialise(timeline),
            limited: seen.length > timeline.length,
            prev_batch: `t${Math.max(0, start - 1)}`,
          },
          state: { events: [] },
          account_data: { events: [] },
        };
      }
    }
  }
  const accountData = model.accountDataSince(userId, since ?? 0);
  const rooms = { join, invite, leave, knock: {} };
  const empty =
    Object.keys(join).length + Object.keys(invite).length + Object.keys(leave).length + accountData.length ===
    0;
  return {
    empty,
    body: {
      next_batch: `s${model.pos}`,
      rooms,
      account_data: { events: accountData },
      presence: { events: [] },
    },
  };
}

// Stripped state a server typically shares with an invitee (CS API v1.18 "Stripped state").
const INVITE_STATE = [
  'm.room.create',
  'm.room.join_rules',
  'm.room.name',
  'm.room.avatar',
  'm.room.canonical_alias',
  'm.room.encryption',
  'm.room.topic',
];

function joinedRoom(
  room: Room,
  userId: string,
  since: number | undefined,
  then: string | undefined,
  filter: Filter,
  fullState: boolean,
  serialise: (events: readonly StoredEvent[]) => unknown[],
): Record<string, unknown> | undefined {
  // A room joined since `since` is sent whole, history included as far as its visibility allows.
  const fresh = since === undefined || then !== 'join';
  const candidates = fresh
    ? room.eventsAfter(room.visibleFrom(userId) - 1)
    : room.eventsAfter(since as number);
  if (candidates.length === 0 && !fullState && !fresh) return undefined;
  const timeline = candidates.slice(-filter.timelineLimit);
  const limited = candidates.length > timeline.length;
  const timelineStart = timeline[0]?.pos ?? Number.MAX_SAFE_INTEGER;
  let state: StoredEvent[];
  if (fresh || fullState) state = room.stateBefore(timelineStart);
  else if (limited) {
    // State that changed in the gap between `since` and the start of the timeline.
    const gapKeys = new Set(
      room.events
        .filter(
          (event) =>
            event.pos > (since as number) && event.pos < timelineStart && event.state_key !== undefined,
        )
        .map((event) => `${event.type}\u0000${event.state_key}`),
    );
    state = room
      .stateBefore(timelineStart)
      .filter((event) => gapKeys.has(`${event.type}\u0000${event.state_key}`));
  } else state = [];
  return {
    timeline: { events: serialise(timeline), limited, prev_batch: `t${Math.max(0, timelineStart - 1)}` },
    state: { events: serialise(state) },
    account_data: { events: [] },
    ephemeral: { events: [] },
    summary: {
      'm.joined_member_count': room.members('join').length,
      'm.invited_member_count': room.members('invite').length,
    },
    unread_notifications: { highlight_count: 0, notification_count: 0 },
  };
}
