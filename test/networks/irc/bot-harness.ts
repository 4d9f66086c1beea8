/**
 * Runs an IrcNetwork in the tests the way the core will: started with event handlers, a tiny responder
 * that answers `!status` with an urgent reply (the real router is wired later), an in-memory logger.
 */
import { systemClock } from '../../../src/core/clock.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import { rich } from '../../../src/core/rich-text.js';
import type { IrcNetworkConfig } from '../../../src/config/schema.js';
import { IrcNetwork, type IrcNetworkDeps } from '../../../src/networks/irc/irc-network.js';
import { IrcTestClient, type ReceivedLine, type TestClientOptions } from '../../servers/irc-test-client.js';
import { EventRecorder, memoryLogger, until, type MemoryLogger } from './helpers.js';

export const STATUS_REPLY = 'status: all quiet';

export interface RunningBot {
  readonly network: IrcNetwork;
  readonly events: EventRecorder;
  readonly log: MemoryLogger;
  /** Inbound `!status` commands the responder answered. */
  readonly commands: InboundMessage[];
}

export async function startBot(
  config: IrcNetworkConfig,
  channels: IrcNetworkDeps['channels'],
  extra: Partial<IrcNetworkDeps> = {},
): Promise<RunningBot> {
  const log = memoryLogger();
  const events = new EventRecorder();
  const network = new IrcNetwork(config, {
    clock: systemClock,
    logger: log,
    channels,
    adminContact: 'ops@firebell.test',
    ...extra,
  });
  const commands: InboundMessage[] = [];
  events.onMessage((message) => {
    if (message.style !== 'message' || message.text.trim() !== '!status') return;
    commands.push(message);
    network.send({
      to: { network: config.id, conversation: message.conversation.id },
      body: rich(STATUS_REPLY),
      style: 'message',
      priority: 'urgent',
      purpose: 'reply',
    });
  });
  await network.start(events);
  return { network, events, log, commands };
}

/** Waits until the bot logged joining every channel, counting only log entries from index `since`. */
export async function waitJoined(
  bot: RunningBot,
  channels: readonly string[],
  options: { since?: number; timeoutMs?: number } = {},
): Promise<void> {
  const since = options.since ?? 0;
  await until(
    () =>
      channels.every((channel) =>
        bot.log.entries
          .slice(since)
          .some((entry) => entry.level === 'info' && entry.message === `joined ${channel}`),
      ),
    `the bot to join ${channels.join(', ')}`,
    options.timeoutMs ?? 10_000,
  );
}

/** The clients and bots of one test file, all closed in its `after()`. */
export class TestBed {
  readonly clients: IrcTestClient[] = [];
  readonly bots: RunningBot[] = [];

  constructor(private readonly port: () => number) {}

  async connect(nick: string, extra: Partial<TestClientOptions> = {}): Promise<IrcTestClient> {
    const client = await IrcTestClient.connect({ port: this.port(), nick, ...extra });
    this.clients.push(client);
    return client;
  }

  async launch(...args: Parameters<typeof startBot>): Promise<RunningBot> {
    const running = await startBot(...args);
    this.bots.push(running);
    return running;
  }

  /** What WHOIS says about `nick`, as `client` sees it. */
  async whois(client: IrcTestClient, nick: string): Promise<ReceivedLine[]> {
    const from = client.lines.length;
    client.send(`WHOIS ${nick}`);
    await client.waitFor((line) => line.message.command === '318', { from });
    return client.lines.slice(from);
  }

  closeClients(): void {
    for (const client of this.clients) client.close();
  }

  async close(): Promise<void> {
    for (const running of this.bots) await running.network.stop();
    this.closeClients();
  }
}
