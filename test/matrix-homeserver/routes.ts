/**
 * The endpoints of the test homeserver, each a named route under the heading of the spec section it
 * follows (CS API v1.18, https://spec.matrix.org/v1.18/client-server-api/); the section's anchor is that
 * heading lower-cased without punctuation, e.g. #put_matrixclientv3roomsroomidsendeventtypetxnid.
 * Names are what fault rules match. Handlers return the JSON body of a 200 or throw a MatrixHttpError.
 */
import { MatrixHttpError, badJson, forbidden, invalidParam, notFound } from './errors.js';
import { clientEvent, type Content } from './events.js';
import { deviceKey, type HomeserverModel, type Session } from './model.js';
import { sync } from './sync.js';

export interface RouteContext {
  readonly model: HomeserverModel;
  readonly session: Session | undefined;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: Content;
  readonly now: () => number;
  readonly signal: AbortSignal;
}

export interface Route {
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: RegExp;
  readonly auth: boolean;
  handle(context: RouteContext): unknown;
}

const C = '/_matrix/client/v3';
const route = (
  name: string,
  method: Route['method'],
  path: string,
  auth: boolean,
  handle: (context: RouteContext) => unknown,
): Route => ({
  name,
  method,
  // `{name}` matches one path segment; `{name?}` an optional trailing one (state keys may be empty).
  path: new RegExp(
    `^${path.replace(/\/\{(\w+)\?\}/g, '(?:/(?<$1>[^/]*))?').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`,
  ),
  auth,
  handle,
});

const session = (context: RouteContext): Session => context.session as Session;
const me = (context: RouteContext): string => session(context).userId;

function ownUser(context: RouteContext): string {
  if (context.params.userId !== me(context)) throw forbidden('Cannot access data of other users');
  return me(context);
}

function stringField(body: Content, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw badJson(`"${key}" must be a string`);
  return value;
}

const optionalString = (body: Content, key: string): string | undefined =>
  typeof body[key] === 'string' ? body[key] : undefined;

export const routes: readonly Route[] = [
  // "GET /_matrix/client/versions"
  route('versions', 'GET', '/_matrix/client/versions', false, () => ({
    versions: ['v1.1', 'v1.2', 'v1.3', 'v1.4', 'v1.5', 'v1.6', 'v1.7', 'v1.8', 'v1.9', 'v1.10', 'v1.11'],
    unstable_features: {},
  })),
  // "GET /_matrix/client/v3/login"
  route('login.flows', 'GET', `${C}/login`, false, () => ({ flows: [{ type: 'm.login.password' }] })),
  // "POST /_matrix/client/v3/login" (m.login.password, identifier m.id.user or the deprecated `user`)
  route('login', 'POST', `${C}/login`, false, ({ model, body }) => {
    if (body.type !== 'm.login.password') throw new MatrixHttpError(400, 'M_UNKNOWN', 'Unknown login type');
    const identifier = (body.identifier ?? {}) as Content;
    const user = optionalString(identifier, 'user') ?? optionalString(body, 'user');
    if (user === undefined) throw badJson('identifier.user is required');
    const opened = model.passwordLogin(
      user,
      stringField(body, 'password'),
      optionalString(body, 'device_id'),
    );
    return { user_id: opened.userId, access_token: opened.token, device_id: opened.deviceId };
  }),
  // "POST /_matrix/client/v3/logout"
  route('logout', 'POST', `${C}/logout`, true, (context) => {
    context.model.closeSession(session(context).token);
    return {};
  }),
  // "GET /_matrix/client/v3/account/whoami"
  route('whoami', 'GET', `${C}/account/whoami`, true, (context) => ({
    user_id: me(context),
    device_id: session(context).deviceId,
    is_guest: false,
  })),
  // "GET /_matrix/client/v3/capabilities"
  route('capabilities', 'GET', `${C}/capabilities`, true, () => ({
    capabilities: { 'm.room_versions': { default: '10', available: { '10': 'stable' } } },
  })),
  // "GET /_matrix/client/v3/sync"
  route('sync', 'GET', `${C}/sync`, true, (context) => {
    const timeout = Number(context.query.get('timeout') ?? '0');
    if (!Number.isFinite(timeout) || timeout < 0)
      throw invalidParam('timeout must be a non-negative integer');
    const since = context.query.get('since');
    const filter = context.query.get('filter');
    return sync(
      context.model,
      session(context),
      {
        timeoutMs: timeout,
        fullState: context.query.get('full_state') === 'true',
        ...(since === null ? {} : { since }),
        ...(filter === null ? {} : { filter }),
      },
      context.now,
      context.signal,
    );
  }),
  // "POST /_matrix/client/v3/user/{userId}/filter"
  route('filter.create', 'POST', `${C}/user/{userId}/filter`, true, (context) => ({
    filter_id: context.model.createFilter(ownUser(context), context.body),
  })),
  // "GET /_matrix/client/v3/user/{userId}/filter/{filterId}"
  route('filter.get', 'GET', `${C}/user/{userId}/filter/{filterId}`, true, (context) => {
    const filter = context.model.getFilter(ownUser(context), context.params.filterId as string);
    if (!filter) throw notFound('No such filter');
    return filter;
  }),
  // "GET /_matrix/client/v3/user/{userId}/account_data/{type}"
  route('account_data.get', 'GET', `${C}/user/{userId}/account_data/{type}`, true, (context) => {
    const content = context.model.getAccountData(ownUser(context), context.params.type as string);
    if (!content) throw notFound('Account data not found');
    return content;
  }),
  // "PUT /_matrix/client/v3/user/{userId}/account_data/{type}"
  route('account_data.put', 'PUT', `${C}/user/{userId}/account_data/{type}`, true, (context) => {
    context.model.setAccountData(ownUser(context), context.params.type as string, context.body);
    return {};
  }),
  // "GET /_matrix/client/v3/profile/{userId}"
  route('profile', 'GET', `${C}/profile/{userId}`, true, ({ model, params }) => {
    if (!model.hasUser(params.userId as string)) throw notFound('Profile was not found');
    const displayname = model.displayname(params.userId as string);
    return displayname === undefined ? {} : { displayname };
  }),
  // "GET /_matrix/client/v3/profile/{userId}/displayname"
  route('profile.displayname', 'GET', `${C}/profile/{userId}/displayname`, true, ({ model, params }) => {
    const displayname = model.displayname(params.userId as string);
    if (displayname === undefined) throw notFound('Profile was not found');
    return { displayname };
  }),
  // "PUT /_matrix/client/v3/profile/{userId}/displayname"
  route('profile.displayname.put', 'PUT', `${C}/profile/{userId}/displayname`, true, (context) => {
    context.model.setDisplayname(ownUser(context), stringField(context.body, 'displayname'));
    return {};
  }),
  // "GET /_matrix/client/v3/joined_rooms"
  route('joined_rooms', 'GET', `${C}/joined_rooms`, true, (context) => ({
    joined_rooms: context.model
      .roomsOf(me(context))
      .filter((room) => room.membership(me(context)) === 'join')
      .map((room) => room.roomId),
  })),
  // "POST /_matrix/client/v3/createRoom"
  route('createRoom', 'POST', `${C}/createRoom`, true, (context) => ({
    room_id: context.model.createRoom(me(context), context.body),
  })),
  // "POST /_matrix/client/v3/join/{roomIdOrAlias}"
  route('join', 'POST', `${C}/join/{roomIdOrAlias}`, true, (context) => ({
    room_id: context.model.join(me(context), context.params.roomIdOrAlias as string),
  })),
  // "POST /_matrix/client/v3/rooms/{roomId}/join"
  route('join', 'POST', `${C}/rooms/{roomId}/join`, true, (context) => ({
    room_id: context.model.join(me(context), context.params.roomId as string),
  })),
  // "POST /_matrix/client/v3/rooms/{roomId}/invite"
  route('invite', 'POST', `${C}/rooms/{roomId}/invite`, true, (context) => {
    const reason = optionalString(context.body, 'reason');
    context.model.invite(
      me(context),
      context.params.roomId as string,
      stringField(context.body, 'user_id'),
      reason === undefined ? {} : { reason },
    );
    return {};
  }),
  // "POST /_matrix/client/v3/rooms/{roomId}/leave"
  route('leave', 'POST', `${C}/rooms/{roomId}/leave`, true, (context) => {
    context.model.leave(me(context), context.params.roomId as string, optionalString(context.body, 'reason'));
    return {};
  }),
  // "POST /_matrix/client/v3/rooms/{roomId}/kick"
  route('kick', 'POST', `${C}/rooms/{roomId}/kick`, true, (context) => {
    context.model.kick(
      me(context),
      context.params.roomId as string,
      stringField(context.body, 'user_id'),
      optionalString(context.body, 'reason'),
    );
    return {};
  }),
  // "POST /_matrix/client/v3/rooms/{roomId}/ban"
  route('ban', 'POST', `${C}/rooms/{roomId}/ban`, true, (context) => {
    context.model.ban(
      me(context),
      context.params.roomId as string,
      stringField(context.body, 'user_id'),
      optionalString(context.body, 'reason'),
    );
    return {};
  }),
  // "GET /_matrix/client/v3/directory/room/{roomAlias}"
  route('directory.get', 'GET', `${C}/directory/room/{roomAlias}`, false, ({ model, params }) => ({
    room_id: model.resolveAlias(params.roomAlias as string),
    servers: [model.serverName],
  })),
  // "PUT /_matrix/client/v3/directory/room/{roomAlias}"
  route('directory.put', 'PUT', `${C}/directory/room/{roomAlias}`, true, ({ model, params, body }) => {
    model.setAlias(params.roomAlias as string, stringField(body, 'room_id'));
    return {};
  }),
  // "DELETE /_matrix/client/v3/directory/room/{roomAlias}"
  route('directory.delete', 'DELETE', `${C}/directory/room/{roomAlias}`, true, ({ model, params }) => {
    model.deleteAlias(params.roomAlias as string);
    return {};
  }),
  // "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}"
  route('send', 'PUT', `${C}/rooms/{roomId}/send/{eventType}/{txnId}`, true, (context) => ({
    event_id: context.model.send(
      session(context),
      context.params.roomId as string,
      context.params.eventType as string,
      context.params.txnId as string,
      context.body,
    ),
  })),
  // "PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}"
  route('redact', 'PUT', `${C}/rooms/{roomId}/redact/{eventId}/{txnId}`, true, (context) => ({
    event_id: context.model.redact(
      session(context),
      context.params.roomId as string,
      context.params.eventId as string,
      context.params.txnId as string,
      optionalString(context.body, 'reason'),
    ),
  })),
  // "GET /_matrix/client/v3/rooms/{roomId}/state"
  route('state.all', 'GET', `${C}/rooms/{roomId}/state`, true, (context) => {
    const room = context.model.visibleRoom(me(context), context.params.roomId as string);
    const viewer = { device: deviceKey(session(context)), now: context.now() };
    return room.stateEvents().map((event) => clientEvent(event, viewer));
  }),
  // "GET /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}" (format=event since v1.16)
  route('state.get', 'GET', `${C}/rooms/{roomId}/state/{eventType}/{stateKey?}`, true, (context) => {
    const room = context.model.visibleRoom(me(context), context.params.roomId as string);
    const event = room.stateEvent(context.params.eventType as string, context.params.stateKey ?? '');
    if (!event) throw notFound('Event not found.');
    if (context.query.get('format') === 'event')
      return clientEvent(event, { device: deviceKey(session(context)), now: context.now() });
    return event.content;
  }),
  // "PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}"
  route('state.put', 'PUT', `${C}/rooms/{roomId}/state/{eventType}/{stateKey?}`, true, (context) => ({
    event_id: context.model.setState(
      me(context),
      context.params.roomId as string,
      context.params.eventType as string,
      context.params.stateKey ?? '',
      context.body,
    ),
  })),
  // "GET /_matrix/client/v3/rooms/{roomId}/joined_members"
  route('joined_members', 'GET', `${C}/rooms/{roomId}/joined_members`, true, (context) => {
    const room = context.model.joinedRoom(me(context), context.params.roomId as string);
    const joined: Record<string, unknown> = {};
    for (const userId of room.members('join')) {
      const displayname = room.stateEvent('m.room.member', userId)?.content.displayname;
      joined[userId] = typeof displayname === 'string' ? { display_name: displayname } : {};
    }
    return { joined };
  }),
  // "GET /_matrix/client/v3/rooms/{roomId}/members"
  route('members', 'GET', `${C}/rooms/{roomId}/members`, true, (context) => {
    const room = context.model.visibleRoom(me(context), context.params.roomId as string);
    const membership = context.query.get('membership');
    const notMembership = context.query.get('not_membership');
    const viewer = { device: deviceKey(session(context)), now: context.now() };
    return {
      chunk: room
        .stateEvents()
        .filter((event) => event.type === 'm.room.member')
        .filter((event) => membership === null || event.content.membership === membership)
        .filter((event) => notMembership === null || event.content.membership !== notMembership)
        .map((event) => clientEvent(event, viewer)),
    };
  }),
  // "GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}"
  route('event', 'GET', `${C}/rooms/{roomId}/event/{eventId}`, true, (context) => {
    const room = context.model.visibleRoom(me(context), context.params.roomId as string);
    const event = room.event(context.params.eventId as string);
    if (!event || event.pos < room.visibleFrom(me(context))) throw notFound('Event not found.');
    return clientEvent(event, { device: deviceKey(session(context)), now: context.now() });
  }),
  // "GET /_matrix/client/v3/rooms/{roomId}/messages": pages of the timeline from `from` towards `to`
  // (tokens: a sync's next_batch or a timeline's prev_batch), newest first with dir=b; `end` is omitted
  // when no more events are available.
  route('messages', 'GET', `${C}/rooms/{roomId}/messages`, true, (context) => {
    const room = context.model.visibleRoom(me(context), context.params.roomId as string);
    const dir = context.query.get('dir');
    if (dir !== 'b' && dir !== 'f') throw invalidParam('dir must be "b" or "f"');
    const position = (token: string): number => {
      const match = /^[st](\d+)$/.exec(token);
      if (!match) throw invalidParam(`Invalid pagination token: ${token}`);
      return Number(match[1]);
    };
    const limit = Math.min(1000, Math.max(1, Number(context.query.get('limit') ?? '10') || 10));
    const from = context.query.get('from');
    const to = context.query.get('to');
    const start = from === null ? (dir === 'b' ? context.model.pos : 0) : position(from);
    const visible = room.visibleFrom(me(context));
    const inRange =
      dir === 'b'
        ? room.events.filter((event) => event.pos <= start && (to === null || event.pos > position(to)))
        : room.events.filter((event) => event.pos > start && (to === null || event.pos <= position(to)));
    const ordered = (dir === 'b' ? [...inRange].reverse() : inRange).filter((event) => event.pos >= visible);
    const chunk = ordered.slice(0, limit);
    const last = chunk.at(-1);
    const viewer = { device: deviceKey(session(context)), now: context.now() };
    return {
      chunk: chunk.map((event) => clientEvent(event, viewer)),
      start: from ?? `t${start}`,
      ...(ordered.length > limit && last ? { end: `t${dir === 'b' ? last.pos - 1 : last.pos}` } : {}),
    };
  }),
  // "GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}" (most recent first, dir=b)
  route(
    'relations',
    'GET',
    '/_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType?}',
    true,
    (context) => {
      const room = context.model.visibleRoom(me(context), context.params.roomId as string);
      const from = room.visibleFrom(me(context));
      const parent = room.event(context.params.eventId as string);
      if (!parent || parent.pos < from) throw notFound('Event not found.');
      const viewer = { device: deviceKey(session(context)), now: context.now() };
      const related = room.relations(parent.event_id, context.params.relType || undefined);
      return {
        chunk: related
          .filter((event) => event.pos >= from)
          .reverse()
          .map((event) => clientEvent(event, viewer)),
      };
    },
  ),
  // "PUT /_matrix/client/v3/rooms/{roomId}/typing/{userId}"
  route('typing', 'PUT', `${C}/rooms/{roomId}/typing/{userId}`, true, (context) => {
    ownUser(context);
    context.model.joinedRoom(me(context), context.params.roomId as string);
    return {};
  }),
  // "POST /_matrix/client/v3/rooms/{roomId}/receipt/{receiptType}/{eventId}"
  route('receipt', 'POST', `${C}/rooms/{roomId}/receipt/{receiptType}/{eventId}`, true, (context) => {
    context.model.joinedRoom(me(context), context.params.roomId as string);
    return {};
  }),
  // "POST /_matrix/client/v3/rooms/{roomId}/read_markers"
  route('read_markers', 'POST', `${C}/rooms/{roomId}/read_markers`, true, (context) => {
    context.model.joinedRoom(me(context), context.params.roomId as string);
    return {};
  }),
];
