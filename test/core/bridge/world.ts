/**
 * firebell's core with the bridge wired in, on fake networks (an IRC network `libera`, a second IRC network
 * `oftc`, a Matrix network `matrix`, the shell) and xstate's SimulatedClock. Tests say things as users on either
 * side and read what each network was asked to send.
 */
import { afterEach } from 'node:test';
import { SimulatedClock } from 'xstate';
import type { Config } from '../../../src/config/config.js';
import type { GroupConfig } from '../../../src/config/schema.js';
import { Bridge, type BridgeTuning } from '../../../src/core/bridge/bridge.js';
import { KeyValueLongMessages } from '../../../src/core/bridge/long-messages.js';
import { Firebell } from '../../../src/core/firebell.js';
import { silentLogger, type Logger } from '../../../src/core/logger.js';
import type {
  InboundMessage,
  MembershipChange,
  OutboundMessage,
  Sender,
} from '../../../src/core/messages.js';
import type { ConnectionState, NetworkEvents } from '../../../src/core/network.js';
import { toPlainText } from '../../../src/core/rich-text.js';
import { FakeNetwork, ircUser, matrixUser } from '../../support/fake-network.js';
import { MemoryIncidentStore } from '../../support/memory-incident-store.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { testConfig } from '../../support/config-fixture.js';
import { settle as settleFirebell } from '../../support/settle.js';

export const T0 = Date.UTC(2026, 10, 25, 15, 0);
export const Z = '\u200b';
export const IRC_ROOM = '#infra';
export const MATRIX_ROOM = '#infra:example.org';

export const alice = ircUser('alice', 'alice');
export const bob = ircUser('bob');
export const ana = matrixUser('@ana:example.org', 'Ana');

export const infraGroup: GroupConfig = {
  id: 'infra',
  name: 'infra',
  members: [
    { network: 'libera', conversation: IRC_ROOM, topic: true, status: true },
    { network: 'matrix', conversation: MATRIX_ROOM, topic: true, status: true },
  ],
  relay: true,
  relayJoinsAndParts: false,
};

/** A fake network whose event sink the test can reach, to say things, react, join and disconnect. */
export class Side {
  private events: NetworkEvents | undefined;
  private sequence = 0;

  constructor(
    readonly network: FakeNetwork,
    private readonly clock: SimulatedClock,
  ) {
    const start = network.start.bind(network);
    network.start = async (events: NetworkEvents) => {
      this.events = events;
      return start(events);
    };
  }

  /** Says something; returns the message id it got. */
  say(
    conversation: string,
    sender: Sender,
    text: string,
    extra: Partial<Omit<InboundMessage, 'conversation' | 'sender' | 'text'>> & { direct?: boolean } = {},
  ): string {
    const { direct, ...rest } = extra;
    const messageId = extra.messageId ?? `${this.network.id}-in-${(this.sequence += 1)}`;
    this.events?.message({
      conversation: { network: this.network.id, id: conversation, direct: direct ?? false },
      sender,
      text,
      style: 'message',
      at: this.clock.now(),
      ...rest,
      messageId,
    });
    return messageId;
  }

  react(conversation: string, sender: Sender, messageId: string, key: string): void {
    this.events?.reaction?.({
      conversation: { network: this.network.id, id: conversation, direct: false },
      sender,
      messageId,
      key,
      at: this.clock.now(),
    });
  }

  membership(
    conversation: string,
    sender: Sender,
    change: MembershipChange['change'],
    extra: Partial<MembershipChange> = {},
  ): void {
    this.events?.membership?.({
      conversation: { network: this.network.id, id: conversation, direct: false },
      sender,
      change,
      at: this.clock.now(),
      ...extra,
    });
  }

  connection(state: ConnectionState): void {
    this.events?.connection?.(state, this.clock.now());
  }

  /** What was sent as relayed chat, as `style: plain text`. */
  relayed(): string[] {
    return this.network.sent.filter((message) => message.relayed).map(describe);
  }

  /** Everything sent, relayed or not. */
  all(): string[] {
    return this.network.sent.map(describe);
  }

  last(): OutboundMessage {
    const message = this.network.sent.at(-1);
    if (!message) throw new Error(`${this.network.id} sent nothing`);
    return message;
  }

  clear(): void {
    this.network.clear();
  }
}

function describe(message: OutboundMessage): string {
  const where = 'person' in message.to ? `@${message.to.person.name}` : message.to.conversation;
  return `${where} ${message.style}: ${toPlainText(message.body)}`;
}

export interface BridgeWorld {
  readonly clock: SimulatedClock;
  readonly irc: Side;
  readonly oftc: Side;
  readonly matrix: Side;
  readonly shell: Side;
  readonly firebell: Firebell;
  readonly bridge: Bridge;
  readonly kv: MemoryKeyValueStore;
  readonly longMessages: KeyValueLongMessages;
  settle(): Promise<void>;
  /** Moves the simulated clock on (firing the coalescer's timers). */
  advance(ms: number): void;
  stop(): Promise<void>;
}

export interface WorldOptions {
  readonly groups?: readonly GroupConfig[];
  readonly bridge?: Partial<Config['bridge']>;
  /** `null` for no public URL. */
  readonly publicUrl?: string | null;
  readonly tuning?: Partial<BridgeTuning>;
  /** The bridge's logger (to count what it caught). */
  readonly logger?: Logger;
}

export async function bridgeWorld(options: WorldOptions = {}): Promise<BridgeWorld> {
  const clock = new SimulatedClock();
  clock.set(T0);
  const base = testConfig();
  const publicUrl = options.publicUrl === undefined ? 'https://firebell.example.org/' : options.publicUrl;
  const config: Config = {
    ...base,
    bot: { ...base.bot, ...(publicUrl === null ? {} : { publicUrl }) },
    groups: options.groups ?? [infraGroup],
    bridge: { ...base.bridge, ...options.bridge },
  };
  const libera = new FakeNetwork('libera', 'irc', () => clock.now());
  const oftc = new FakeNetwork('oftc', 'irc', () => clock.now());
  const matrix = new FakeNetwork('matrix', 'matrix', () => clock.now());
  const shell = new FakeNetwork('shell', 'shell', () => clock.now());
  const sides = {
    irc: new Side(libera, clock),
    oftc: new Side(oftc, clock),
    matrix: new Side(matrix, clock),
    shell: new Side(shell, clock),
  };
  const kv = new MemoryKeyValueStore();
  let tokens = 0;
  const longMessages = new KeyValueLongMessages(
    kv,
    100,
    () => `token${String((tokens += 1)).padStart(4, '0')}`,
  );
  let bridge: Bridge | undefined;
  const firebell = new Firebell({
    config,
    store: new MemoryIncidentStore(),
    networks: [libera, oftc, matrix, shell],
    clock,
    logger: silentLogger,
    relay: (core) =>
      (bridge = new Bridge({
        ...core,
        clock,
        logger: options.logger ?? silentLogger,
        config: config.bridge,
        botName: config.bot.name,
        publicUrl: config.bot.publicUrl,
        longMessages,
        runCommand: core.runCommand,
        ...(options.tuning ? { tuning: options.tuning } : {}),
      })),
  });
  await firebell.start();
  if (!bridge) throw new Error('the bridge was not built');
  const settle = (): Promise<void> => settleFirebell(firebell);
  return {
    clock,
    ...sides,
    firebell,
    bridge,
    kv,
    longMessages,
    settle,
    advance: (ms) => clock.set(clock.now() + ms),
    stop: () => firebell.stop(),
  };
}

/** A `world()` for each test of a file, stopped after the test. */
export function worldPerTest(): (options?: WorldOptions) => Promise<BridgeWorld> {
  const worlds: BridgeWorld[] = [];
  afterEach(async () => {
    for (const w of worlds.splice(0)) await w.stop();
  });
  return async (options) => {
    const w = await bridgeWorld(options);
    worlds.push(w);
    return w;
  };
}
