/**
 * Shared set-up for the Matrix adapter's integration tests: a MatrixNetwork on the test homeserver with
 * short timings, a record of everything it reports, a tiny responder standing in for the core's router
 * (`!status` → a reply), and polling with a deadline instead of sleeps.
 */
import type { MatrixNetworkConfig } from '../../../src/config/schema.js';
import { systemClock } from '../../../src/core/clock.js';
import type {
  InboundMessage,
  InboundReaction,
  MembershipChange,
  OutboundMessage,
} from '../../../src/core/messages.js';
import type { ConnectionState } from '../../../src/core/network.js';
import { rich } from '../../../src/core/rich-text.js';
import { MatrixNetwork } from '../../../src/networks/matrix/matrix-network.js';
import type { MatrixTuning } from '../../../src/networks/matrix/tuning.js';
import type { TestHomeserver, TestUser } from '../../matrix-homeserver/homeserver.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { MemoryLogger } from '../../support/memory-logger.js';

export const FAST: Partial<MatrixTuning> = {
  syncTimeoutMs: 5_000,
  retryBaseMs: 10,
  retryMaxMs: 100,
  defaultRateLimitMs: 10,
  requestTimeoutMs: 2_000,
};

export function botConfig(
  hs: Pick<TestHomeserver, 'url'>,
  bot: Pick<TestUser, 'userId' | 'token'>,
  overrides: Partial<MatrixNetworkConfig> = {},
): MatrixNetworkConfig {
  return {
    id: 'matrix',
    kind: 'matrix',
    homeserver: hs.url,
    userId: bot.userId,
    accessToken: bot.token,
    acceptInvitesFrom: [],
    queueLimit: 1000,
    ...overrides,
  } as MatrixNetworkConfig;
}

/** Records what the homeserver took, with its event ids, as the outbox hears it from `deliver`. */
class RecordingMatrixNetwork extends MatrixNetwork {
  constructor(
    private readonly record: (message: OutboundMessage, eventIds: readonly string[]) => void,
    ...args: ConstructorParameters<typeof MatrixNetwork>
  ) {
    super(...args);
  }

  override send(message: OutboundMessage, delivery: Parameters<MatrixNetwork['send']>[1] = {}): void {
    super.send(message, {
      ...delivery,
      settle: (outcome) => {
        if (outcome.status === 'delivered') this.record(message, outcome.receipt);
        delivery.settle?.(outcome);
      },
    });
  }
}

export type Responder = (message: InboundMessage, network: MatrixNetwork) => void;

/** What the lead's router will do for `!status`, reduced to one line: reply in the same conversation. */
export const statusResponder: Responder = (message, network) => {
  if (message.text.trim() !== '!status' || message.editOf) return;
  network.send({
    to: { network: network.id, conversation: message.conversation.id },
    body: rich('all quiet: no open incidents'),
    style: 'notice',
    priority: 'urgent',
    purpose: 'reply',
    ...(message.messageId === undefined ? {} : { replyTo: message.messageId }),
  });
};

export interface BotOptions {
  readonly rooms?: readonly string[];
  readonly mayInvite?: (userId: string) => boolean;
  readonly kv?: MemoryKeyValueStore;
  readonly logger?: MemoryLogger;
  readonly config?: Partial<MatrixNetworkConfig>;
  readonly tuning?: Partial<MatrixTuning>;
  readonly responder?: Responder;
  /** Messages whose handling never finishes (a crash before their commit): their promise stays pending. */
  readonly neverCommitted?: (message: InboundMessage) => boolean;
}

export class RunningBot {
  readonly messages: InboundMessage[] = [];
  readonly reactions: InboundReaction[] = [];
  readonly memberships: MembershipChange[] = [];
  readonly states: Array<{ state: ConnectionState; detail: string | undefined }> = [];

  constructor(
    readonly network: MatrixNetwork,
    readonly kv: MemoryKeyValueStore,
    readonly logger: MemoryLogger,
    /** What the homeserver took, with its event ids. */
    readonly delivered: Array<{ message: OutboundMessage; eventIds: readonly string[] }>,
  ) {}

  /** Commands seen (messages starting with `!`). */
  commands(): string[] {
    return this.messages.filter((message) => message.text.startsWith('!')).map((message) => message.text);
  }

  /** Whether a message whose first segment is this text was delivered. */
  hasDelivered(text: string): boolean {
    return this.delivered.some((entry) => {
      const first = entry.message.body[0];
      return first?.kind === 'text' && first.text === text;
    });
  }

  stop(): Promise<void> {
    runningBots.delete(this);
    return this.network.stop();
  }
}

/** Bots a failed test left running; stopped after the file so a failure cannot hold the run open. */
const runningBots = new Set<RunningBot>();

export async function stopStrayBots(): Promise<void> {
  await Promise.all([...runningBots].map((bot) => bot.stop()));
}

export async function startBot(
  hs: TestHomeserver,
  bot: TestUser,
  options: BotOptions = {},
): Promise<RunningBot> {
  const kv = options.kv ?? new MemoryKeyValueStore();
  const logger = options.logger ?? new MemoryLogger();
  const delivered: RunningBot['delivered'] = [];
  const network = new RecordingMatrixNetwork(
    (message, eventIds) => delivered.push({ message, eventIds }),
    botConfig(hs, bot, options.config),
    {
      clock: systemClock,
      logger,
      kv,
      rooms: options.rooms ?? [],
      mayInvite: options.mayInvite ?? (() => false),
    },
    { ...FAST, ...options.tuning },
  );
  const running = new RunningBot(network, kv, logger, delivered);
  runningBots.add(running);
  const responder = options.responder ?? statusResponder;
  await network.start({
    message: (message) => {
      running.messages.push(message);
      if (options.neverCommitted?.(message)) return new Promise<void>(() => undefined);
      responder(message, network);
      return undefined;
    },
    reaction: (reaction) => void running.reactions.push(reaction),
    membership: (change) => running.memberships.push(change),
    connection: (state, _at, detail) => running.states.push({ state, detail }),
  });
  return running;
}

/** Polls `condition` until it holds or the deadline passes (then throws, naming `what`). */
// Generous: under a loaded CI machine a first sync can take seconds; a hang still fails, only later.
export async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const HISTORY_MARGIN_MS = 250;

/**
 * Waits until `since` is well in the past before a bot starts, so that what was said then is history to
 * it. Well: the bot dates an event by the homeserver's `unsigned.age` from when it read the sync response,
 * so a sync read late on a loaded machine makes the event look that much younger; a millisecond's margin
 * let a command "said while down" count as fresh when the two test suites of CI ran side by side.
 */
export async function clockPast(since: number): Promise<void> {
  await until(() => systemClock.now() > since + HISTORY_MARGIN_MS, 'the clock to move on', 2_000);
}

export const text = (body: string): Record<string, unknown> => ({ msgtype: 'm.text', body });
