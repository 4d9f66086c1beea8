/**
 * firebell on Matrix, through matrix-bot-sdk's client and HTTP stack: a bot account in unencrypted rooms
 * and direct chats. It logs in (token, or a password exchanged once), keeps its sync position in
 * firebell's store, acts only on what was said after it started (or joined), handles each room's events
 * in order, and sends notices through paced per-room queues that retry without duplicating.
 *
 * What it refuses: end-to-end encrypted rooms (it says so there once, and in the log), and invites from
 * people it does not know (declined with a reason).
 */
import type { MatrixNetworkConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import { delivered, refused, type Delivery, type DeliveryOutcome } from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage } from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import type { KeyValueStore } from '../../core/store.js';
import { logIn, MatrixStartError } from './login.js';
import { Sleeper } from './sleeper.js';
import { MatrixSession } from './matrix-session.js';
import { routeSdkLogs } from './sdk-logging.js';
import type { Outgoing } from './sender.js';
import { DEFAULT_MATRIX_TUNING, type MatrixTuning } from './tuning.js';

/** Queued before the session is up, sent when it is. */
interface EarlyMessage {
  readonly message: OutboundMessage;
  readonly delivery: Pick<Outgoing, 'deliveryId' | 'settle'>;
}

export interface MatrixNetworkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly kv: KeyValueStore;
  /** The rooms the groups name on this network, by alias or id. */
  readonly rooms: readonly string[];
  /** Whose invites to accept: contacts, whitelisted users, `acceptInvitesFrom`. */
  mayInvite(userId: string): boolean;
}

export class MatrixNetwork implements ChatNetwork {
  readonly kind = 'matrix' as const;
  readonly id: string;
  private readonly logger: Logger;
  private readonly tuning: MatrixTuning;
  private state: ConnectionState = 'stopped';
  private events: NetworkEvents | undefined;
  private session: MatrixSession | undefined;
  /** Waits between attempts to reach the homeserver; stopped with the adapter. */
  private retry: Sleeper | undefined;
  /** Messages sent while logging in, handed to the session once it exists. */
  private early: EarlyMessage[] = [];

  constructor(
    private readonly config: MatrixNetworkConfig,
    private readonly deps: MatrixNetworkDeps,
    tuning: Partial<MatrixTuning> = {},
  ) {
    this.id = config.id;
    this.logger = deps.logger.child({ network: config.id });
    this.tuning = { ...DEFAULT_MATRIX_TUNING, ...tuning };
  }

  /**
   * Logs in and starts syncing. Rejects with a MatrixStartError when the homeserver URL or the token is
   * wrong (a configuration error: nothing will fix it by waiting). A homeserver that cannot be reached is
   * not an error at start: the adapter keeps trying with backoff and queues what is sent meanwhile, so
   * firebell runs on its other networks.
   */
  async start(events: NetworkEvents): Promise<void> {
    if (this.session) throw new Error(`matrix network ${this.id} is already started`);
    this.events = events;
    this.retry = new Sleeper(this.deps.clock);
    routeSdkLogs(this.logger);
    if (!(await this.connect(events))) void this.keepConnecting(events);
  }

  /** True once syncing; false when the homeserver is unreachable (worth retrying); throws otherwise. */
  private async connect(events: NetworkEvents): Promise<boolean> {
    this.setState('connecting');
    const namespace = `matrix:${this.id}`;
    try {
      const credentials = await logIn(this.config, this.deps.kv, namespace, this.logger);
      const session = new MatrixSession({
        networkId: this.id,
        homeserver: this.config.homeserver,
        credentials,
        rooms: this.deps.rooms,
        queueLimit: this.config.queueLimit,
        clock: this.deps.clock,
        logger: this.logger,
        kv: this.deps.kv,
        namespace,
        tuning: this.tuning,
        events,
        mayInvite: (userId) => this.deps.mayInvite(userId),
        state: (state, detail) => this.setState(state, detail),
      });
      this.session = session;
      await session.start();
      for (const { message, delivery } of this.early.splice(0)) session.send(message, delivery);
      return true;
    } catch (error) {
      this.session?.stop();
      this.session = undefined;
      const detail = error instanceof Error ? error.message : String(error);
      if (error instanceof MatrixStartError && error.problem === 'unreachable') {
        this.setState('disconnected', detail);
        return false;
      }
      this.setState('stopped', detail);
      throw error;
    }
  }

  private async keepConnecting(events: NetworkEvents): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const wait = Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** attempt);
      this.logger.warn({ waitMs: wait }, 'the homeserver cannot be reached; trying again');
      if (!(await this.retry?.sleep(wait))) return;
      try {
        if (await this.connect(events)) return;
      } catch (error) {
        this.logger.error(
          { err: error },
          'the Matrix network stopped: the homeserver answered, but refused firebell',
        );
        return;
      }
    }
  }

  async stop(): Promise<void> {
    this.retry?.stop();
    this.session?.stop();
    this.session = undefined;
    for (const { delivery } of this.early.splice(0))
      delivery.settle?.({
        status: 'abandoned',
        at: this.deps.clock.now(),
        reason: 'the Matrix network stopped',
      });
    this.setState('stopped');
    return Promise.resolve();
  }

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    const now = (): number => this.deps.clock.now();
    if (content.kind === 'topic')
      return this.setTopic(content.conversation, content.topic).then((result) =>
        result.ok ? delivered(now()) : refused(now(), result.reason),
      );
    return new Promise((settle) => this.send(content.message, { deliveryId: delivery.id, settle }));
  }

  /** Queues a message; `delivery.settle` hears its outcome. */
  send(message: OutboundMessage, delivery: EarlyMessage['delivery'] = {}): void {
    const now = this.deps.clock.now();
    try {
      if (this.session) this.session.send(message, delivery);
      else if (this.state === 'connecting' || this.state === 'disconnected')
        this.early.push({ message, delivery });
      else {
        this.logger.warn({ purpose: message.purpose }, 'not sent: the Matrix adapter is not running');
        delivery.settle?.({ status: 'abandoned', at: now, reason: 'the Matrix adapter is not running' });
      }
    } catch (error) {
      this.logger.error({ err: error, purpose: message.purpose }, 'could not queue a Matrix message');
      delivery.settle?.({ status: 'refused', at: now, reason: 'firebell could not queue it' });
    }
  }

  getTopic(conversation: string): Promise<string | undefined> {
    return this.session ? this.session.getTopic(conversation) : Promise.resolve(undefined);
  }

  setTopic(conversation: string, topic: string): Promise<TopicResult> {
    return this.session
      ? this.session.setTopic(conversation, topic)
      : Promise.resolve({ ok: false, reason: 'the Matrix adapter is not running' });
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (state === this.state) return;
    this.state = state;
    this.logger.info({ state, ...(detail === undefined ? {} : { detail }) }, `matrix ${state}`);
    try {
      this.events?.connection?.(state, this.deps.clock.now(), detail);
    } catch (error) {
      this.logger.error({ err: error }, 'a connection handler threw');
    }
  }
}
