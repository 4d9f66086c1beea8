/**
 * firebell on Matrix, through matrix-bot-sdk's client and HTTP stack: a bot account in unencrypted rooms
 * and direct chats. It logs in (token, or a password exchanged once), keeps its sync position in
 * firebell's store, acts only on what was said after it started (or joined), handles each room's events
 * in order, and sends through one scheduler for all rooms (most urgent first, paused as the homeserver's
 * rate limit asks, retried without duplicating). Every other request is retried the same way, and `stop()`
 * aborts whatever is in flight, the /sync long-poll included, so it returns at once.
 *
 * What it refuses: end-to-end encrypted rooms (it says so there once, and in the log), and invites from
 * people it does not know (declined with a reason).
 */
import type { MatrixNetworkConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import {
  notForChat,
  refused,
  type Delivery,
  type DeliveryContent,
  type DeliveryOutcome,
} from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OutboundMessage } from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import type { KeyValueStore } from '../../core/store.js';
import { classify } from './failures.js';
import { logIn, logInAgain, MatrixStartError, tokenRejected, type LoginDeps } from './login.js';
import { RequestScope } from './request-scope.js';
import { RateLimitGate, Retrier } from './retry.js';
import { Sleeper } from './sleeper.js';
import { MatrixSession } from './matrix-session.js';
import { editContent } from './content.js';
import { routeSdkLogs } from './sdk-logging.js';
import type { Outgoing } from './scheduler.js';
import { DEFAULT_MATRIX_TUNING, type MatrixTuning } from './tuning.js';
import { errorMessage } from '../../core/error-message.js';

type DeliveryHooks = Partial<Pick<Outgoing, 'deliveryId' | 'settle' | 'lane'>>;

/** Queued before the session is up, sent when it is. */
type Early =
  | { readonly kind: 'message'; readonly message: OutboundMessage; readonly hooks: DeliveryHooks }
  | {
      readonly kind: 'topic';
      readonly conversation: string;
      readonly topic: string;
      readonly hooks: DeliveryHooks;
    }
  | { readonly kind: 'edit'; readonly edit: EditDelivery; readonly hooks: DeliveryHooks };

type EditDelivery = Extract<DeliveryContent, { kind: 'edit' }>;

export interface MatrixNetworkDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly kv: KeyValueStore;
  /** The rooms the groups name on this network, by alias or id. */
  readonly rooms: readonly string[];
  /** Whose invites to accept: contacts, whitelisted users, `acceptInvitesFrom`. */
  mayInvite(userId: string): boolean;
  /** Asked before every request; false refuses it (an instance that lost its lease, app.ts). */
  readonly mayWrite?: () => boolean;
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
  /** The login's requests, aborted by stop. */
  private loginScope: RequestScope | undefined;
  private stopping = false;
  /** Deliveries made while logging in, handed to the session once it exists. */
  private early: Early[] = [];

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
    this.stopping = false;
    this.retry = new Sleeper(this.deps.clock);
    routeSdkLogs(this.logger);
    if (!(await this.connect(events))) void this.keepConnecting(events);
  }

  /** True once syncing; false when the homeserver is unreachable (worth retrying); throws otherwise. */
  private async connect(events: NetworkEvents): Promise<boolean> {
    this.setState('connecting');
    const namespace = `matrix:${this.id}`;
    try {
      const credentials = await this.logIn();
      const session: MatrixSession = new MatrixSession({
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
        ...(this.deps.mayWrite ? { mayWrite: this.deps.mayWrite } : {}),
        renewToken: () => this.renewToken(session, credentials.deviceId),
      });
      this.session = session;
      await session.start();
      for (const early of this.early.splice(0)) this.hand(session, early);
      return true;
    } catch (error) {
      this.session?.stop();
      this.session = undefined;
      const detail = errorMessage(error);
      const failure = classify(error);
      if (this.stopping || failure.kind === 'stopped') return false;
      const worthRetrying =
        (error instanceof MatrixStartError && error.problem === 'unreachable') ||
        (!(error instanceof MatrixStartError) &&
          (failure.kind === 'transient' || failure.kind === 'rate-limited'));
      if (worthRetrying) {
        this.setState('disconnected', detail);
        return false;
      }
      this.setState('stopped', detail);
      throw error;
    }
  }

  /** Login in a request scope of its own: its sockets close when it is done, its requests end on stop. */
  private logIn(): Promise<Awaited<ReturnType<typeof logIn>>> {
    return this.inLoginScope((deps) => logIn(this.config, deps));
  }

  private async inLoginScope<T>(login: (deps: LoginDeps) => Promise<T>): Promise<T> {
    const sleeper = this.retry as Sleeper;
    const { clock } = this.deps;
    const retrier = new Retrier({
      clock,
      sleeper,
      logger: this.logger,
      tuning: this.tuning,
      gate: new RateLimitGate(clock, sleeper),
    });
    const scope = new RequestScope();
    this.loginScope = scope;
    try {
      return await scope.run(() =>
        login({
          kv: this.deps.kv,
          namespace: `matrix:${this.id}`,
          logger: this.logger,
          retrier,
          deadlineMs: this.tuning.lookupDeadlineMs,
        }),
      );
    } finally {
      scope.close();
    }
  }

  /**
   * The homeserver no longer knows the session's token (revoked, or logged out by an admin). With a
   * password, a new token on the same device; the session goes on with it, its queue and sync position
   * kept. With none, or a password the homeserver now refuses, the network stops and says why, once: what
   * is queued stays pending for the next start.
   */
  private async renewToken(
    session: MatrixSession,
    deviceId: string | undefined,
  ): Promise<string | undefined> {
    if (this.config.password === undefined) {
      this.refused(session, tokenRejected(this.config));
      return undefined;
    }
    try {
      const token = await this.inLoginScope((deps) => logInAgain(this.config, deviceId, deps));
      this.logger.warn({ deviceId }, 'the access token was revoked; logged in again with the password');
      return token;
    } catch (error) {
      if (error instanceof MatrixStartError && error.problem !== 'unreachable')
        this.refused(session, error.message);
      else if (!this.stopping)
        this.logger.warn(
          { detail: errorMessage(error) },
          'the access token was revoked and logging in again failed; will try again',
        );
      return undefined;
    }
  }

  private refused(session: MatrixSession, detail: string): void {
    if (this.session !== session) return;
    this.logger.error({ detail }, 'the Matrix network stopped: the homeserver refused firebell');
    this.session = undefined;
    session.stop();
    this.setState('stopped', detail);
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
    this.stopping = true;
    this.retry?.stop();
    this.loginScope?.close();
    this.session?.stop();
    this.session = undefined;
    for (const { hooks } of this.early.splice(0))
      hooks.settle?.({
        status: 'abandoned',
        at: this.deps.clock.now(),
        reason: 'the Matrix network stopped',
      });
    this.setState('stopped');
    return Promise.resolve();
  }

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    if (content.kind === 'offchat') return Promise.resolve(notForChat(this.deps.clock.now(), 'Matrix'));
    return new Promise((settle) => {
      const hooks = { deliveryId: delivery.id, settle, lane: delivery.lane };
      if (content.kind === 'message') this.send(content.message, hooks);
      else if (content.kind === 'edit') this.queue({ kind: 'edit', edit: content, hooks });
      else this.queue({ kind: 'topic', conversation: content.conversation, topic: content.topic, hooks });
    });
  }

  /** Queues a message; `delivery.settle` hears its outcome. */
  send(message: OutboundMessage, delivery: DeliveryHooks = {}): void {
    this.queue({ kind: 'message', message, hooks: delivery });
  }

  getTopic(conversation: string): Promise<string | undefined> {
    return this.session ? this.session.getTopic(conversation) : Promise.resolve(undefined);
  }

  /** Queues a topic change and tells whether the homeserver took it. */
  setTopic(conversation: string, topic: string): Promise<TopicResult> {
    return new Promise((resolve) => {
      const settle = (outcome: DeliveryOutcome): void =>
        resolve(outcome.status === 'delivered' ? { ok: true } : { ok: false, reason: outcome.reason });
      this.queue({ kind: 'topic', conversation, topic, hooks: { settle } });
    });
  }

  private queue(early: Early): void {
    const now = this.deps.clock.now();
    const purpose = early.kind === 'message' ? early.message.purpose : early.kind;
    try {
      if (this.session) this.hand(this.session, early);
      else if (this.state === 'connecting' || this.state === 'disconnected') this.early.push(early);
      else {
        this.logger.warn({ purpose }, 'not sent: the Matrix adapter is not running');
        early.hooks.settle?.({ status: 'abandoned', at: now, reason: 'the Matrix adapter is not running' });
      }
    } catch (error) {
      this.logger.error({ err: error, purpose }, 'could not queue a Matrix delivery');
      early.hooks.settle?.({ status: 'refused', at: now, reason: 'firebell could not queue it' });
    }
  }

  private hand(session: MatrixSession, early: Early): void {
    if (early.kind === 'message') session.send(early.message, early.hooks);
    else if (early.kind === 'edit') this.edit(session, early.edit, early.hooks);
    else session.setTopic(early.conversation, early.topic, early.hooks);
  }

  /** An announcement edited in place; the outbox names the event (`target`) from its delivery receipt. */
  private edit(session: MatrixSession, edit: EditDelivery, hooks: DeliveryHooks): void {
    if (edit.target === undefined) {
      hooks.settle?.(refused(this.deps.clock.now(), 'the announcement to edit is not known'));
      return;
    }
    session.edit(edit.conversation, editContent(edit.target, edit.body), hooks);
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
