/**
 * firebell's core on fake networks (IRC, Matrix and the shell, one group linking them), a SimulatedClock and
 * the SQLite store in memory, for tests that talk to it as people would. `at(minute)` moves the clock
 * minute by minute from T0, letting every timer fire on the way. Two worlds on one store are a restart.
 */
import { settle as settleFirebell } from './settle.js';
import { SimulatedClock } from 'xstate';
import type { Config } from '../../src/config/config.js';
import type { LongMessage, LongMessageStore } from '../../src/core/bridge/long-messages.js';
import { Firebell } from '../../src/core/firebell.js';
import type { OffChatChannel } from '../../src/core/offchat/wiring.js';
import { silentLogger, type Logger } from '../../src/core/logger.js';
import type { StatusStore } from '../../src/core/store.js';
import type { DurableState } from '../../src/core/durable-state.js';
import { FakeNetwork } from './fake-network.js';
import { testConfig } from './config-fixture.js';
import { openDurable, TestStore } from './test-store.js';

export const MIN = 60_000;
/** A Wednesday, 09:00 in Chicago. */
export const T0 = Date.UTC(2026, 10, 25, 15, 0);

export interface CoreWorld {
  readonly clock: SimulatedClock;
  readonly store: TestStore;
  /** The journal and the in-memory state over the store, as the core holds them. */
  readonly durable: DurableState;
  /** The statusbot's state: the alert, the saved topics, the history. */
  readonly status: StatusStore;
  readonly pages: MemoryPages;
  readonly irc: FakeNetwork;
  readonly matrix: FakeNetwork;
  readonly shell: FakeNetwork;
  readonly firebell: Firebell;
  settle(): Promise<void>;
  at(minute: number): Promise<void>;
  all(): string[];
  clear(): void;
}

export interface CoreWorldOptions {
  readonly config?: Config;
  /** Share one between two worlds to restart one as the other. */
  readonly store?: TestStore;
  readonly startAt?: number;
  readonly logger?: Logger;
  /** Keep "last alive" (in the store), so a restart says how long firebell was away. */
  readonly heartbeat?: boolean;
  /** Off-chat channels (ntfy, e-mail) beside the fake chat networks. */
  readonly offChat?: readonly OffChatChannel[];
}

/** Long texts kept for firebell's pages, in memory. */
export class MemoryPages implements LongMessageStore {
  readonly saved = new Map<string, LongMessage>();
  save(message: LongMessage): string {
    const id = `${this.saved.size}-testtoken${this.saved.size}`;
    this.saved.set(id, message);
    return id;
  }
  load(id: string): Promise<LongMessage | undefined> {
    return Promise.resolve(this.saved.get(id));
  }
}

const running: Firebell[] = [];

/** Stops every world started since the last call (call it from `afterEach`). */
export async function stopWorlds(): Promise<void> {
  for (const firebell of running.splice(0)) await firebell.stop();
}

export async function coreWorld(options: CoreWorldOptions = {}): Promise<CoreWorld> {
  const clock = new SimulatedClock();
  clock.set(options.startAt ?? T0);
  const store = options.store ?? new TestStore();
  const durable = await openDurable(store, clock, options.logger ? { logger: options.logger } : {});
  const status = durable.status;
  const pages = new MemoryPages();
  const irc = new FakeNetwork('libera', 'irc', () => clock.now());
  const matrix = new FakeNetwork('matrix', 'matrix', () => clock.now());
  const shell = new FakeNetwork('shell', 'shell', () => clock.now());
  const firebell = new Firebell({
    config: options.config ?? testConfig(),
    durable,
    networks: [irc, matrix, shell],
    clock,
    logger: options.logger ?? silentLogger,
    pages,
    status: { alert: { publish: async () => undefined } },
    ...(options.heartbeat ? { heartbeat: true } : {}),
    ...(options.offChat ? { offChat: options.offChat } : {}),
  });
  running.push(firebell);
  await firebell.start();
  const settle = (): Promise<void> => settleFirebell(firebell);
  const networks = [irc, matrix, shell];
  return {
    clock,
    store,
    durable,
    status,
    pages,
    irc,
    matrix,
    shell,
    firebell,
    settle,
    at: async (minute) => {
      await settle();
      for (let t = Math.floor((clock.now() - T0) / MIN) + 1; t <= minute; t += 1) {
        clock.set(T0 + t * MIN);
        await settle();
      }
    },
    all: () => networks.flatMap((network) => network.lines()),
    clear: () => networks.forEach((network) => network.clear()),
  };
}
