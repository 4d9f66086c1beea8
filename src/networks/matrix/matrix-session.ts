/**
 * Everything that exists while the Matrix adapter runs, wired together: the SDK client, the sync loop,
 * the per-room serial handling of what arrives, the outgoing scheduler, the retrier every other request
 * goes through, and the room knowledge they share. MatrixNetwork creates one per start, after logging in,
 * and throws it away on stop (which aborts every request in flight, the /sync long-poll included).
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage, Sender } from '../../core/messages.js';
import type { ConnectionState, NetworkEvents } from '../../core/network.js';
import type { KeyValueStore } from '../../core/store.js';
import { ConfiguredRooms } from './configured-rooms.js';
import { ENCRYPTION_REFUSAL, messageContent, plainNotice, type Content } from './content.js';
import { DirectRooms } from './direct-rooms.js';
import {
  EventGuard,
  forgetReceived,
  isOwnJoin,
  mayAct,
  previouslyReceived,
  storeReceived,
} from './event-guard.js';
import { classify } from './failures.js';
import { fillGaps, messagesReader, type ReadMessages } from './gaps.js';
import { forTheCore, handedOver } from './for-the-core.js';
import { interpret } from './inbound.js';
import { LeftRooms } from './left-rooms.js';
import { handleInvite } from './invites.js';
import { KeyValueStorageProvider } from './kv-storage-provider.js';
import type { Credentials } from './login.js';
import { RoomInfo } from './room-info.js';
import { RoomSerializer } from './room-serializer.js';
import { RateLimitGate, Retrier, type Lookup } from './retry.js';
import { MatrixScheduler, targetOf, type Outgoing, type Target } from './scheduler.js';
import { Sleeper } from './sleeper.js';
import { roomsOf, SyncingMatrixClient, type RawEvent, type SyncResponse } from './sync-client.js';
import { SyncLoop } from './sync-loop.js';
import { readTopic, topicRefusal, type TopicDeps } from './topic.js';
import type { MatrixTuning } from './tuning.js';

type DeliveryHooks = Partial<Pick<Outgoing, 'deliveryId' | 'settle' | 'lane'>>;

export interface SessionOptions {
  readonly networkId: string;
  readonly homeserver: string;
  readonly credentials: Credentials;
  readonly rooms: readonly string[];
  readonly queueLimit: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly kv: KeyValueStore;
  readonly namespace: string;
  readonly tuning: MatrixTuning;
  readonly events: NetworkEvents;
  mayInvite(userId: string): boolean;
  state(state: ConnectionState, detail?: string): void;
  /** Asked before every request; false refuses it (an instance that lost its lease). */
  readonly mayWrite?: () => boolean;
  /** A new access token when the homeserver no longer knows this one; undefined: none to be had. */
  readonly renewToken?: () => Promise<string | undefined>;
}

export class MatrixSession {
  private readonly client: SyncingMatrixClient;
  private readonly storage: KeyValueStorageProvider;
  private readonly sleeper: Sleeper;
  private readonly guard: EventGuard;
  private readonly serializer: RoomSerializer;
  private readonly rooms: ConfiguredRooms;
  private readonly leftRooms: LeftRooms;
  private readonly roomInfo: RoomInfo;
  private readonly directRooms: DirectRooms;
  private readonly scheduler: MatrixScheduler;
  private readonly retrier: Retrier;
  private readonly lookup: Lookup;
  private readonly topics: TopicDeps;
  private readonly loop: SyncLoop;
  private readonly readMessages: ReadMessages;
  private readonly userId: string;
  private stopped = false;
  /** The next batch answers a sync from no token: the whole account data is in it. */
  private fullSync: boolean;

  constructor(private readonly options: SessionOptions) {
    const { clock, logger, kv, namespace, tuning } = options;
    this.userId = options.credentials.userId;
    this.storage = new KeyValueStorageProvider(kv, namespace);
    this.fullSync = this.storage.getSyncToken() === null;
    this.client = new SyncingMatrixClient(options.homeserver, options.credentials.accessToken, this.storage);
    if (options.mayWrite) this.client.mayWrite = options.mayWrite;
    this.client.renewToken = options.renewToken;
    this.sleeper = new Sleeper(clock);
    const gate = new RateLimitGate(clock, this.sleeper);
    this.retrier = new Retrier({ clock, sleeper: this.sleeper, logger, tuning, gate });
    this.lookup = this.retrier.lookup(tuning.lookupDeadlineMs);
    this.topics = { client: this.client, lookup: this.lookup };
    this.readMessages = messagesReader(this.client, this.lookup);
    this.guard = new EventGuard(clock.now(), previouslyReceived(kv, namespace));
    this.serializer = new RoomSerializer(logger);
    this.rooms = new ConfiguredRooms(options.rooms, {
      client: this.client,
      logger,
      lookup: this.lookup,
      sleeper: this.sleeper,
      now: () => clock.now(),
      join: (room, untilStopped) => this.joinRoom(room, untilStopped),
    });
    this.leftRooms = new LeftRooms((roomId) => this.rooms.isConfigured(roomId));
    this.roomInfo = new RoomInfo(this.client, this.lookup, logger, (roomId) => this.refuseEncrypted(roomId));
    this.directRooms = new DirectRooms(
      this.client,
      this.retrier,
      this.lookup,
      this.roomInfo,
      (roomId) => this.rooms.isConfigured(roomId),
      logger,
    );
    this.scheduler = new MatrixScheduler({
      client: this.client,
      logger,
      sleeper: this.sleeper,
      gate,
      now: () => clock.now(),
      queueLimit: options.queueLimit,
      tuning,
      resolve: (target, fresh) => this.resolve(target, fresh),
      isEncrypted: (roomId) => this.roomInfo.isEncrypted(roomId),
      topicRefusal: (roomId, conversation) => topicRefusal(this.topics, roomId, conversation, this.userId),
    });
    this.loop = new SyncLoop({
      client: this.client,
      storage: this.storage,
      clock,
      logger,
      sleeper: this.sleeper,
      tuning,
      longPollMs: tuning.syncTimeoutMs,
      handle: (response, receivedAt, since) => this.handleBatch(response, receivedAt, since),
      state: options.state,
    });
  }

  async start(): Promise<void> {
    const { tuning, logger } = this.options;
    // The SDK's start: the joined-room list, the stored filter (a changed filter drops the sync token).
    const filter = {
      room: { timeline: { limit: tuning.timelineLimit }, ephemeral: { types: [] } },
      presence: { types: [] },
    };
    await this.lookup('start the client (joined rooms, filter)', () => this.client.start(filter));
    await this.reconcileRooms();
    for (const name of this.rooms.names) {
      const roomId = this.rooms.knownId(name);
      if (roomId) await this.roomInfo.isEncrypted(roomId);
    }
    this.loop.start();
    this.sleeper.every(tuning.reconcileRoomsMs, () => this.reconcileRooms());
    logger.info({ userId: this.userId, rooms: this.rooms.names }, 'Matrix adapter running');
  }

  stop(): void {
    this.stopped = true;
    this.loop.stop();
    this.scheduler.stop();
    this.sleeper.stop();
    this.client.close();
  }

  send(message: OutboundMessage, delivery: DeliveryHooks = {}): void {
    const target = targetOf(message.to);
    if (!target) {
      this.options.logger.warn({ purpose: message.purpose }, 'not sent: the person has no Matrix id');
      delivery.settle?.({ status: 'refused', at: this.options.clock.now(), reason: 'no Matrix id' });
      return;
    }
    this.scheduler.enqueue({
      target,
      payload: { kind: 'message', content: messageContent(message) },
      message,
      ...delivery,
      lane: delivery.lane ?? message.priority,
    });
  }

  /** Queues an edit of firebell's own event in a room (content from `editContent`). */
  edit(conversation: string, content: Content, delivery: DeliveryHooks = {}): void {
    this.scheduler.enqueue({
      target: { kind: 'room', conversation },
      payload: { kind: 'message', content },
      ...delivery,
      lane: delivery.lane ?? 'normal',
    });
  }

  async getTopic(conversation: string): Promise<string | undefined> {
    try {
      return await readTopic(this.topics, await this.rooms.roomIdOf(conversation));
    } catch (error) {
      this.options.logger.warn({ conversation, detail: classify(error).detail }, 'could not read a topic');
      return undefined;
    }
  }

  /** Queues a topic change (bulk lane unless told otherwise); `delivery.settle` hears the outcome. */
  setTopic(conversation: string, topic: string, delivery: DeliveryHooks = {}): void {
    this.scheduler.enqueue({
      target: { kind: 'room', conversation },
      payload: { kind: 'topic', topic },
      ...delivery,
      lane: delivery.lane ?? 'bulk',
    });
  }

  // ---------------------------------------------------------------- inbound

  private async handleBatch(batch: SyncResponse, receivedAt: number, since: string | null): Promise<void> {
    const response = await fillGaps(batch, since, this.readMessages, this.options.logger, {
      notBefore: receivedAt - this.options.tuning.gapMaxAgeMs,
      sentAt: (event) => this.guard.sentAt(event, receivedAt),
      receivedAt,
      now: () => this.options.clock.now(),
    });
    this.observe(response);
    await storeReceived(
      this.options.kv,
      this.options.namespace,
      response,
      (event) => event.sender !== this.userId && !this.guard.isStale(event, receivedAt) && mayAct(event),
    );
    await this.client.dispatch(response, (type, ...payload) => {
      const roomId = payload[0] as string;
      const event = payload[1] as RawEvent;
      if (type === 'room.event')
        this.serializer.run(roomId, () => this.handleRoomEvent(roomId, event, receivedAt));
      else if (type === 'room.invite') this.serializer.run(roomId, () => this.handleInvite(roomId, event));
      else if (type === 'room.leave') this.handleLeft(roomId, event, response, receivedAt);
      return Promise.resolve();
    });
    await this.serializer.settled();
    forgetReceived(this.options.kv, this.options.namespace);
  }

  /**
   * Reads the batch before it is handled: encryption switched on, member names and who left a direct
   * room, `m.direct`, and the bot's own joins (what precedes them in a room's timeline is history).
   */
  private observe(response: SyncResponse): void {
    for (const event of response.account_data?.events ?? [])
      if (event.type === 'm.direct') this.directRooms.noteDirectMap(event.content);
    if (this.fullSync) this.directRooms.noteFullSync();
    this.fullSync = false;
    for (const [roomId, room] of roomsOf(response))
      for (const event of [...(room.state?.events ?? []), ...(room.timeline?.events ?? [])]) {
        this.roomInfo.observe(roomId, event);
        if (event.type === 'm.room.member' && typeof event.state_key === 'string')
          this.directRooms.noteMembership(roomId, event.state_key, event.content.membership);
        if (isOwnJoin(event, this.userId)) this.leftRooms.noteJoined(roomId);
      }
    this.guard.observeBatch(response, this.userId, (roomId) => this.client.wasJoined(roomId));
  }

  private async handleRoomEvent(roomId: string, event: RawEvent, receivedAt: number): Promise<void> {
    if (this.stopped || event.sender === this.userId) return;
    const log = this.options.logger;
    // Not proof that the room is encrypted: anyone who may post can send this type. Only the room's
    // m.room.encryption state says so (RoomInfo), or one member could silence an incident room.
    if (event.type === 'm.room.encrypted') {
      log.debug({ roomId, eventId: event.event_id }, 'ignored an encrypted event');
      return;
    }
    const meaning = interpret(event);
    if (!meaning) return;
    if (await this.roomInfo.isEncrypted(roomId)) {
      log.debug({ roomId, eventId: event.event_id }, 'ignored an event in an encrypted room');
      return;
    }
    if (this.guard.isStale(event, receivedAt)) {
      log.debug(
        { roomId, eventId: event.event_id },
        'ignored an event from before the bot started or joined',
      );
      return;
    }
    const [name, direct] = await Promise.all([
      this.roomInfo.displayName(roomId, event.sender),
      this.directRooms.isDirect(roomId),
    ]);
    if (this.stopped) return;
    const sender: Sender = { id: event.sender, name, account: event.sender, verification: 'homeserver' };
    const conversation = { network: this.options.networkId, id: this.rooms.nameOf(roomId) ?? roomId, direct };
    const { events } = this.options;
    if (meaning.kind === 'membership') {
      const name = await this.roomInfo.displayName(roomId, meaning.user);
      const change = {
        conversation,
        sender: { id: meaning.user, name, account: meaning.user, verification: 'homeserver' as const },
        change: meaning.change,
        at: event.origin_server_ts,
        ...(meaning.reason === undefined ? {} : { reason: meaning.reason }),
      };
      void handedOver(this.options.logger, () => events.membership?.(change));
      return;
    }
    const inbound = forTheCore(meaning, event, conversation, sender, this.options.networkId);
    // Awaited: the sync token is saved only once every event of the batch is handled and committed.
    await handedOver(this.options.logger, () =>
      inbound.kind === 'reaction' ? events.reaction?.(inbound.reaction) : events.message(inbound.message),
    );
  }

  private handleInvite(roomId: string, invite: RawEvent): Promise<void> {
    return handleInvite(roomId, invite, {
      logger: this.options.logger,
      isConfigured: (id) => this.rooms.isConfigured(id),
      mayInvite: (userId) => this.options.mayInvite(userId),
      join: (id) => this.joinRoom(id),
      decline: async (id, reason) => {
        await this.lookup(`decline the invite to ${id}`, () => this.client.leaveRoom(id, reason));
      },
      joinedDirect: (userId, id) => this.directRooms.record(userId, id),
      joined: async (id) => {
        await this.roomInfo.isEncrypted(id);
      },
    });
  }

  /** Out of the room since the previous sync: what was said there before is handled first, in order. */
  private handleLeft(roomId: string, leave: RawEvent, batch: SyncResponse, receivedAt: number): void {
    const said = LeftRooms.saidBefore(batch, roomId, leave);
    if (said.length > 0)
      this.options.logger.info(
        { roomId, events: said.length },
        'handling what was said in a room before the bot was removed from it',
      );
    for (const event of said)
      this.serializer.run(roomId, () => this.handleRoomEvent(roomId, event, receivedAt));
    this.serializer.run(roomId, () => this.handleLeave(roomId, leave));
  }

  private handleLeave(roomId: string, event: RawEvent): void {
    this.roomInfo.forget(roomId);
    this.leftRooms.noteLeft(roomId, event);
    // Not awaited: rejoining (with its waits) must not hold up the rest of the batch.
    void this.rooms.removed(roomId, event.content.membership, event.sender, event.content.reason);
  }

  // ---------------------------------------------------------------- helpers

  /** Joins (idempotent): retried for `lookupDeadlineMs`, or until it works with `untilStopped`. */
  private joinRoom(roomIdOrAlias: string, untilStopped = false): Promise<string> {
    const deadline = untilStopped ? {} : { deadlineMs: this.options.tuning.lookupDeadlineMs };
    return this.retrier.run({ what: `join ${roomIdOrAlias}`, idempotent: true, ...deadline }, () =>
      this.client.joinRoom(roomIdOrAlias),
    );
  }

  private async reconcileRooms(): Promise<void> {
    try {
      await this.rooms.reconcile(
        new Set(await this.lookup('list the joined rooms', () => this.client.getJoinedRooms())),
      );
    } catch (error) {
      this.options.logger.warn({ detail: classify(error).detail }, 'could not list the joined rooms');
    }
  }

  private async resolve(target: Target, fresh: boolean): Promise<string> {
    if (target.kind === 'person') {
      if (fresh) this.directRooms.forget(target.userId);
      return this.directRooms.roomFor(target.userId);
    }
    const roomId = await this.rooms.roomIdOf(target.conversation, fresh);
    const refusal = this.leftRooms.refusal(roomId);
    if (refusal !== undefined) throw new Error(refusal);
    if (fresh) await this.joinRoom(roomId);
    return roomId;
  }

  /** Says once, in the room and the log, that the bot does not work in encrypted rooms; pages go elsewhere. */
  private refuseEncrypted(roomId: string): void {
    // A person's direct room that turned encryption on: their pages go to a new room, not refused.
    this.directRooms.noteEncrypted(roomId);
    const room = this.rooms.nameOf(roomId) ?? roomId;
    this.options.logger.warn(
      { room },
      'the room is end-to-end encrypted: firebell ignores it and will not post there',
    );
    const { kv, namespace } = this.options;
    if (kv.get(namespace, `refused:${roomId}`) !== undefined) return;
    kv.set(namespace, `refused:${roomId}`, '1');
    this.scheduler.enqueue({
      target: { kind: 'room', conversation: roomId },
      lane: 'urgent',
      payload: { kind: 'message', content: plainNotice(ENCRYPTION_REFUSAL), intoEncryptedRoom: true },
    });
  }
}
