/**
 * The test homeserver's in-memory state and the operations on it, each checked the way the spec's auth
 * rules and endpoint descriptions say. The HTTP routes and the test helpers both call these, so a helper
 * can never create a state the real API could not.
 */
import { MatrixHttpError, badJson, forbidden, invalidParam, notFound } from './errors.js';
import { randomId, redactContent, type Content, type StoredEvent } from './events.js';
import { Room, relationOf, type Membership } from './room.js';

export interface Session {
  readonly userId: string;
  readonly deviceId: string;
  readonly token: string;
}

interface User {
  readonly userId: string;
  password?: string;
  displayname?: string;
}

export interface CreateRoomOptions {
  readonly preset?: 'private_chat' | 'public_chat' | 'trusted_private_chat';
  readonly visibility?: 'public' | 'private';
  readonly room_alias_name?: string;
  readonly name?: string;
  readonly topic?: string;
  readonly invite?: readonly string[];
  readonly is_direct?: boolean;
  readonly room_version?: string;
  readonly creation_content?: Content;
  readonly initial_state?: ReadonlyArray<{ type: string; state_key?: string; content: Content }>;
  readonly power_level_content_override?: Content;
}

/** Events the helpers post may be back-dated, to stand for history from before a bot started. */
export interface PostOptions {
  readonly ts?: number;
  readonly txn?: { readonly device: string; readonly txnId: string };
}

const MAX_EVENT_BYTES = 65_536;
const SUPPORTED_ROOM_VERSIONS = ['10'];

export class HomeserverModel {
  readonly rooms = new Map<string, Room>();
  readonly aliases = new Map<string, string>();
  private readonly users = new Map<string, User>();
  private readonly sessions = new Map<string, Session>();
  private readonly accountData = new Map<string, Map<string, { content: Content; pos: number }>>();
  private readonly filters = new Map<string, Content[]>();
  private readonly transactions = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private position = 0;

  constructor(
    readonly serverName: string,
    private readonly now: () => number,
  ) {}

  get pos(): number {
    return this.position;
  }

  /** Called after every change that /sync could report; long-polling requests re-check then. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---------------------------------------------------------------- users and sessions

  createUser(localpart: string, options: { password?: string; displayname?: string } = {}): string {
    const userId = `@${localpart}:${this.serverName}`;
    if (this.users.has(userId)) throw new MatrixHttpError(400, 'M_USER_IN_USE', `${userId} is taken`);
    this.users.set(userId, { userId, ...options, displayname: options.displayname ?? localpart });
    return userId;
  }

  hasUser(userId: string): boolean {
    return this.users.has(userId);
  }

  openSession(userId: string, deviceId = randomId(6).toUpperCase()): Session {
    if (!this.users.has(userId)) throw forbidden(`unknown user ${userId}`);
    const session = { userId, deviceId, token: `syt_${randomId(18)}` };
    this.sessions.set(session.token, session);
    return session;
  }

  session(token: string): Session | undefined {
    return this.sessions.get(token);
  }

  closeSession(token: string): void {
    this.sessions.delete(token);
  }

  /** CS API v1.18 "POST /_matrix/client/v3/login", m.login.password with an m.id.user identifier. */
  passwordLogin(user: string, password: string, deviceId?: string): Session {
    const userId = user.startsWith('@') ? user : `@${user}:${this.serverName}`;
    const record = this.users.get(userId);
    if (!record?.password || record.password !== password) throw forbidden('Invalid username or password');
    return this.openSession(userId, deviceId);
  }

  displayname(userId: string): string | undefined {
    return this.users.get(userId)?.displayname;
  }

  setDisplayname(userId: string, displayname: string): void {
    const user = this.users.get(userId);
    if (!user) throw notFound('Profile was not found');
    user.displayname = displayname;
  }

  // ---------------------------------------------------------------- account data and filters

  setAccountData(userId: string, type: string, content: Content): void {
    const data = this.accountData.get(userId) ?? new Map();
    data.set(type, { content, pos: this.advance() });
    this.accountData.set(userId, data);
    this.changed();
  }

  getAccountData(userId: string, type: string): Content | undefined {
    return this.accountData.get(userId)?.get(type)?.content;
  }

  accountDataSince(userId: string, since: number): Array<{ type: string; content: Content }> {
    return [...(this.accountData.get(userId) ?? new Map<string, { content: Content; pos: number }>())]
      .filter(([, entry]) => entry.pos > since)
      .map(([type, entry]) => ({ type, content: entry.content }));
  }

  createFilter(userId: string, filter: Content): string {
    const list = this.filters.get(userId) ?? [];
    list.push(filter);
    this.filters.set(userId, list);
    return String(list.length - 1);
  }

  getFilter(userId: string, filterId: string): Content | undefined {
    return /^\d+$/.test(filterId) ? this.filters.get(userId)?.[Number(filterId)] : undefined;
  }

  // ---------------------------------------------------------------- rooms

  room(roomId: string): Room | undefined {
    return this.rooms.get(roomId);
  }

  resolveAlias(alias: string): string {
    if (!/^#[^:]+:.+$/.test(alias)) throw invalidParam('Room alias invalid');
    const roomId = this.aliases.get(alias);
    if (!roomId) throw notFound(`Room alias ${alias} not found.`);
    return roomId;
  }

  setAlias(alias: string, roomId: string): void {
    if (!/^#[^:]+:.+$/.test(alias)) throw invalidParam('Room alias invalid');
    if (this.aliases.has(alias))
      throw new MatrixHttpError(409, 'M_UNKNOWN', `Room alias ${alias} already exists.`);
    if (!this.rooms.has(roomId)) throw notFound('Room not found');
    this.aliases.set(alias, roomId);
  }

  deleteAlias(alias: string): void {
    if (!this.aliases.delete(alias)) throw notFound(`Room alias ${alias} not found.`);
  }

  /** CS API v1.18 "POST /_matrix/client/v3/createRoom": the eight steps, in the order the spec lists. */
  createRoom(creator: string, options: CreateRoomOptions = {}): string {
    const version = options.room_version ?? '10';
    if (!SUPPORTED_ROOM_VERSIONS.includes(version))
      throw new MatrixHttpError(
        400,
        'M_UNSUPPORTED_ROOM_VERSION',
        `room version ${version} is not supported`,
      );
    const alias =
      options.room_alias_name === undefined ? undefined : `#${options.room_alias_name}:${this.serverName}`;
    if (alias && this.aliases.has(alias))
      throw new MatrixHttpError(400, 'M_ROOM_IN_USE', 'Room alias already taken');
    const roomId = `!${randomId(9)}:${this.serverName}`;
    const room = new Room(roomId, version);
    this.rooms.set(roomId, room);
    const preset = options.preset ?? (options.visibility === 'public' ? 'public_chat' : 'private_chat');
    const state = (type: string, content: Content, stateKey = ''): void => {
      this.appendEvent(room, { type, sender: creator, content, state_key: stateKey });
    };
    state('m.room.create', { ...options.creation_content, creator, room_version: version });
    state('m.room.member', this.memberContent(creator, 'join'), creator);
    const users: Record<string, number> = { [creator]: 100 };
    if (preset === 'trusted_private_chat') for (const invitee of options.invite ?? []) users[invitee] = 100;
    state('m.room.power_levels', {
      users,
      users_default: 0,
      events: {
        'm.room.name': 50,
        'm.room.power_levels': 100,
        'm.room.history_visibility': 100,
        'm.room.canonical_alias': 50,
        'm.room.avatar': 50,
        'm.room.tombstone': 100,
        'm.room.server_acl': 100,
        'm.room.encryption': 100,
      },
      events_default: 0,
      state_default: 50,
      ban: 50,
      kick: 50,
      redact: 50,
      invite: 0,
      ...options.power_level_content_override,
    });
    if (alias) {
      this.aliases.set(alias, roomId);
      state('m.room.canonical_alias', { alias });
    }
    state('m.room.join_rules', { join_rule: preset === 'public_chat' ? 'public' : 'invite' });
    state('m.room.history_visibility', { history_visibility: 'shared' });
    state('m.room.guest_access', { guest_access: preset === 'public_chat' ? 'forbidden' : 'can_join' });
    for (const event of options.initial_state ?? []) state(event.type, event.content, event.state_key ?? '');
    if (options.name !== undefined) state('m.room.name', { name: options.name });
    if (options.topic !== undefined) state('m.room.topic', { topic: options.topic });
    for (const invitee of options.invite ?? [])
      this.invite(creator, roomId, invitee, options.is_direct ? { isDirect: true } : {});
    this.changed();
    return roomId;
  }

  /** CS API v1.18 "POST /_matrix/client/v3/join/{roomIdOrAlias}" and "POST /rooms/{roomId}/join". */
  join(userId: string, roomIdOrAlias: string): string {
    const roomId = roomIdOrAlias.startsWith('#') ? this.resolveAlias(roomIdOrAlias) : roomIdOrAlias;
    const room = this.rooms.get(roomId);
    if (!room) throw notFound('No known servers');
    const membership = room.membership(userId);
    if (membership === 'join') return roomId;
    if (membership === 'ban') throw forbidden('You are banned from this room');
    const joinRule = room.stateEvent('m.room.join_rules')?.content.join_rule;
    if (membership !== 'invite' && joinRule !== 'public')
      throw forbidden('You are not invited to this room.');
    this.appendEvent(room, {
      type: 'm.room.member',
      sender: userId,
      state_key: userId,
      content: this.memberContent(userId, 'join'),
    });
    this.changed();
    return roomId;
  }

  /** CS API v1.18 "POST /_matrix/client/v3/rooms/{roomId}/invite". */
  invite(
    inviter: string,
    roomId: string,
    target: string,
    options: { reason?: string; isDirect?: boolean } = {},
  ): void {
    const room = this.joinedRoom(inviter, roomId);
    if (room.userLevel(inviter) < room.actionLevel('invite'))
      throw forbidden('You do not have permission to invite users to this room');
    const membership = room.membership(target);
    if (membership === 'join') throw forbidden(`${target} is already in the room.`);
    if (membership === 'ban') throw forbidden(`${target} is banned from the room`);
    const content: Content = this.memberContent(target, 'invite');
    if (options.isDirect) content.is_direct = true;
    if (options.reason !== undefined) content.reason = options.reason;
    this.appendEvent(room, { type: 'm.room.member', sender: inviter, state_key: target, content });
    this.changed();
  }

  /** CS API v1.18 "POST /_matrix/client/v3/rooms/{roomId}/leave": also rejects an invite. */
  leave(userId: string, roomId: string, reason?: string): void {
    const room = this.rooms.get(roomId);
    const membership = room?.membership(userId);
    if (!room || membership === undefined) throw forbidden('You are not a member of this room.');
    if (membership === 'leave' || membership === 'ban') return;
    const content: Content = { membership: 'leave', ...(reason === undefined ? {} : { reason }) };
    this.appendEvent(room, { type: 'm.room.member', sender: userId, state_key: userId, content });
    this.changed();
  }

  /** CS API v1.18 "POST /_matrix/client/v3/rooms/{roomId}/kick". */
  kick(kicker: string, roomId: string, target: string, reason?: string): void {
    const room = this.joinedRoom(kicker, roomId);
    const membership = room.membership(target);
    if (membership !== 'join' && membership !== 'invite') throw forbidden(`${target} is not in the room`);
    if (room.userLevel(kicker) < room.actionLevel('kick') || room.userLevel(kicker) <= room.userLevel(target))
      throw forbidden('You do not have permission to kick this user');
    const content: Content = { membership: 'leave', ...(reason === undefined ? {} : { reason }) };
    this.appendEvent(room, { type: 'm.room.member', sender: kicker, state_key: target, content });
    this.changed();
  }

  /** CS API v1.18 "POST /_matrix/client/v3/rooms/{roomId}/ban": whatever the target's membership was. */
  ban(banner: string, roomId: string, target: string, reason?: string): void {
    const room = this.joinedRoom(banner, roomId);
    if (room.userLevel(banner) < room.actionLevel('ban') || room.userLevel(banner) <= room.userLevel(target))
      throw forbidden('You do not have permission to ban this user');
    const content: Content = { membership: 'ban', ...(reason === undefined ? {} : { reason }) };
    this.appendEvent(room, { type: 'm.room.member', sender: banner, state_key: target, content });
    this.changed();
  }

  /**
   * CS API v1.18 "PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}". Transaction ids are
   * scoped to the device (since v1.7, MSC3970: a new login on the same device keeps them) and the
   * endpoint, the path that holds them ("Transaction identifiers"): a retransmit gets the first event's id
   * back, while the same id into another room is another event.
   */
  send(session: Session, roomId: string, type: string, txnId: string, content: Content): string {
    const txnKey = transactionKey(session, 'send', { roomId, eventType: type, txnId });
    const known = this.transactions.get(txnKey);
    if (known) return known;
    const eventId = this.post(session.userId, roomId, type, content, {
      txn: { device: deviceKey(session), txnId },
    });
    this.transactions.set(txnKey, eventId);
    return eventId;
  }

  /** Whether `session` already completed this transaction of `route` ('send' or 'redact'; its path's params). */
  knownTransaction(session: Session, route: string, params: Readonly<Record<string, string>>): boolean {
    return this.transactions.has(transactionKey(session, route, params));
  }

  /** Sends a message event as `userId` (the helpers' way in; `send` adds transaction ids on top). */
  post(userId: string, roomId: string, type: string, content: Content, options: PostOptions = {}): string {
    const room = this.joinedRoom(userId, roomId);
    if (room.userLevel(userId) < room.requiredLevel(type, false))
      throw forbidden(`You don't have permission to post ${type} events`);
    if (Buffer.byteLength(JSON.stringify(content)) > MAX_EVENT_BYTES)
      throw new MatrixHttpError(413, 'M_TOO_LARGE', 'event too large');
    // CS API v1.18 "Validation of m.thread relationships": no thread off an event that has a relation.
    const relation = relationOf(content);
    const root = relation?.rel_type === 'm.thread' ? room.event(String(relation.event_id)) : undefined;
    if (root && relationOf(root.content))
      throw new MatrixHttpError(400, 'M_UNKNOWN', 'Cannot start threads from an event with a relation');
    const event = this.appendEvent(room, { type, sender: userId, content, ...options });
    this.changed();
    return event.event_id;
  }

  /** CS API v1.18 "PUT /_matrix/client/v3/rooms/{roomId}/state/{eventType}/{stateKey}". */
  setState(userId: string, roomId: string, type: string, stateKey: string, content: Content): string {
    const room = this.joinedRoom(userId, roomId);
    const needed = room.requiredLevel(type, true);
    const level = room.userLevel(userId);
    if (level < needed)
      throw forbidden(
        `You don't have permission to send ${type} (needs power level ${needed}, you have ${level})`,
      );
    if (stateKey.startsWith('@') && stateKey !== userId && type !== 'm.room.member')
      throw forbidden('You cannot set state keyed by another user');
    const current = room.stateEvent(type, stateKey);
    // Like Synapse, an identical state event is not sent again; the current one's id comes back.
    if (current && JSON.stringify(current.content) === JSON.stringify(content)) return current.event_id;
    const event = this.appendEvent(room, { type, sender: userId, state_key: stateKey, content });
    this.changed();
    return event.event_id;
  }

  /** CS API v1.18 "PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}". */
  redact(session: Session, roomId: string, eventId: string, txnId: string, reason?: string): string {
    const txnKey = transactionKey(session, 'redact', { roomId, eventId, txnId });
    const known = this.transactions.get(txnKey);
    if (known) return known;
    const room = this.joinedRoom(session.userId, roomId);
    const target = room.event(eventId);
    if (!target) throw notFound('Event not found');
    if (target.sender !== session.userId && room.userLevel(session.userId) < room.actionLevel('redact'))
      throw forbidden("You don't have permission to redact events");
    const content: Content = { redacts: eventId, ...(reason === undefined ? {} : { reason }) };
    const redaction = this.appendEvent(room, {
      type: 'm.room.redaction',
      sender: session.userId,
      content,
      redacts: eventId,
      txn: { device: deviceKey(session), txnId },
    });
    target.content = redactContent(target);
    target.redactedBecause = redaction;
    this.transactions.set(txnKey, redaction.event_id);
    this.changed();
    return redaction.event_id;
  }

  /** The room, if `userId` is joined to it; the spec's 403 otherwise. */
  joinedRoom(userId: string, roomId: string): Room {
    const room = this.rooms.get(roomId);
    if (!room || room.membership(userId) !== 'join') throw forbidden(`User ${userId} not in room ${roomId}`);
    return room;
  }

  /** The room, if `userId` is or was a member (left members may still read what they saw). */
  visibleRoom(userId: string, roomId: string): Room {
    const room = this.rooms.get(roomId);
    const membership = room?.membership(userId);
    if (!room || membership === undefined || membership === 'invite' || membership === 'knock')
      throw forbidden(`User ${userId} not in room ${roomId}`);
    return room;
  }

  /** Rooms in which `userId` has any membership, for /sync. */
  roomsOf(userId: string): Room[] {
    return [...this.rooms.values()].filter((room) => room.membership(userId) !== undefined);
  }

  private memberContent(userId: string, membership: Membership): Content {
    const displayname = this.displayname(userId);
    return { membership, ...(displayname === undefined ? {} : { displayname }) };
  }

  private appendEvent(
    room: Room,
    fields: {
      type: string;
      sender: string;
      content: Content;
      state_key?: string;
      redacts?: string;
      ts?: number;
      txn?: { device: string; txnId: string };
    },
  ): StoredEvent {
    if (typeof fields.content !== 'object' || fields.content === null || Array.isArray(fields.content))
      throw badJson('content must be a JSON object');
    const { ts, ...rest } = fields;
    const event: StoredEvent = {
      ...rest,
      event_id: `$${randomId(16)}`,
      room_id: room.roomId,
      origin_server_ts: ts ?? this.now(),
      pos: this.advance(),
    };
    room.append(event);
    return event;
  }

  private advance(): number {
    this.position += 1;
    return this.position;
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** The device a session is on, across logins: what transaction ids are scoped to. */
export function deviceKey(session: Session): string {
  return `${session.userId}\u0000${session.deviceId}`;
}

/** A transaction's identity: the device and the endpoint's path (its route and every path parameter). */
function transactionKey(
  session: Session,
  route: string,
  params: Readonly<Record<string, string | undefined>>,
): string {
  const path = route === 'send' ? [params.roomId, params.eventType] : [params.roomId, params.eventId];
  return [deviceKey(session), route, ...path, params.txnId].join('\u0000');
}
