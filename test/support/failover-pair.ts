/**
 * Two firebell processes (the built CLI) with one configuration on one fresh PostgreSQL database, both on a
 * real IRC server and the Matrix test homeserver, and a human on each network who watches what the bot
 * says: the failover tests and the failover benchmark use the same pair.
 *
 * The pages are counted where people see them: on IRC by a listening client (whatever nick the bot has:
 * a paused instance keeps its nick, so the one that takes over may speak as an alternative), on Matrix in
 * the homeserver's room (which keeps one event per device and transaction id).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestHomeserver, TestUser } from '../matrix-homeserver/homeserver.js';
import { IrcTestClient, type ReceivedLine } from '../servers/irc-test-client.js';
import { adminQuery, freshDatabase } from './postgres.js';
import { FirebellProcess, writeConfig } from './firebell-process.js';

export interface PairOptions {
  readonly ircPort: number;
  readonly hs: TestHomeserver;
  /** The bot's Matrix user: both instances use its one access token (one device). */
  readonly bot: TestUser;
  /** Ana: tier 1, on both networks; she declares incidents from Matrix. */
  readonly ana: TestUser;
  /** Bo: tier 2, on both networks. */
  readonly bo: TestUser;
  /** Names this pair's channel, room, IRC nick and database, so pairs never meet. */
  readonly name: string;
  readonly leaseSeconds?: number;
  /** IRC pacing; absent: the sample config's default (4 at once, then one every 2 s). */
  readonly pacing?: { readonly burst: number; readonly linesPerSecond: number };
  /** Minutes from the announcement to tier 1, and from tier 1 to tier 2. */
  readonly tierMinutes: readonly [number, number];
}

export interface Pair {
  readonly instances: FirebellProcess[];
  /** The configuration directory both instances run with. */
  readonly config: string;
  /** The environment they run with (the database's URL, the Matrix token). */
  readonly env: NodeJS.ProcessEnv;
  readonly channel: string;
  readonly room: string;
  readonly nick: string;
  /** The database's name, for pg_stat_activity. */
  readonly database: string;
  /** A human in the channel who hears everything the bot says there. */
  readonly watcher: IrcTestClient;
  /** Starts one more instance on the same configuration and database. */
  start(): FirebellProcess;
  /** The bot's lines in the channel (formatting stripped) matching `pattern`, with their arrival. */
  ircSaid(pattern: RegExp): Array<{ text: string; at: number; nick: string }>;
  /** The bot's messages in the room matching `pattern`, with the homeserver's timestamp. */
  matrixSaid(pattern: RegExp): Array<{ text: string; at: number }>;
  /** Everything the bot said on both networks, and the instances' last log lines: for failure messages. */
  transcript(): string;
  /** Removes everything: processes killed, clients closed, the database dropped. */
  close(): Promise<void>;
}

/** The text without IRC formatting codes (firebell makes incident numbers bold). */
export const plain = (text: string): string =>
  text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');

function firebellYaml(options: PairOptions, channel: string, alias: string, nick: string): string {
  const [tier1, tier2] = options.tierMinutes;
  const pacing = options.pacing
    ? `pacing: { burst: ${options.pacing.burst}, linesPerSecond: ${options.pacing.linesPerSecond} }`
    : '';
  return `
bot:
  admin: test
  playbookUrl: https://example.org/playbook
  shutdownGraceSeconds: 1
store:
  kind: postgres
  url: \${DATABASE_URL}
${options.leaseSeconds === undefined ? '' : `  leaseSeconds: ${options.leaseSeconds}`}
networks:
  shell:
    enabled: false
  irc:
    - id: ngircd
      host: 127.0.0.1
      port: ${options.ircPort}
      tls: false
      nick: ${nick}
      altNicks: [${nick}_, ${nick}__]
      ${pacing}
  matrix:
    - id: matrix
      homeserver: ${options.hs.url}
      userId: '${options.bot.userId}'
      accessToken: \${FIREBELL_TEST_MATRIX_TOKEN}
groups:
  - id: infra
    members:
      - network: ngircd
        channel: '${channel}'
      - network: matrix
        room: '#${alias}:${options.hs.serverName}'
escalation:
  defaultPolicy: fast
  policies:
    fast:
      tiers:
        - tier: 1
          afterMinutes: ${tier1}
        - tier: 2
          afterMinutes: ${tier2}
      whenExhausted:
        action: stop
        afterMinutes: 60
      statusReminder: null
`;
}

function contactsYaml(options: PairOptions): string {
  return `
contacts:
  - id: ana
    name: Ana
    irc: { account: ana, nick: ana }
    matrix: '${options.ana.userId}'
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 1
    reach: highlight
  - id: bo
    name: Bo
    irc: { account: bo, nick: bo }
    matrix: '${options.bo.userId}'
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 2
    reach: highlight
`;
}

export async function startPair(options: PairOptions): Promise<Pair> {
  const database = await freshDatabase('fb');
  const channel = `#${options.name}`;
  const nick = `fb${options.name}`.slice(0, 16);
  const room = options.hs.createRoom(options.ana.userId, {
    preset: 'public_chat',
    room_alias_name: options.name,
  });
  options.hs.join(options.bo.userId, room);
  const root = mkdtempSync(join(tmpdir(), 'firebell-failover-'));
  const config = writeConfig(root, {
    firebell: firebellYaml(options, channel, options.name, nick),
    contacts: contactsYaml(options),
    whitelist: 'whitelist:\n  - contact: ana\n',
  });
  const watcher = await IrcTestClient.connect({
    port: options.ircPort,
    nick: `w${options.name}`.slice(0, 16),
  });
  await watcher.join(channel);
  const instances: FirebellProcess[] = [];
  const env = { DATABASE_URL: database.url, FIREBELL_TEST_MATRIX_TOKEN: options.bot.token };
  const start = (): FirebellProcess => {
    const firebell = new FirebellProcess(['run', '--config', config], env);
    instances.push(firebell);
    return firebell;
  };
  const fromBot = (line: ReceivedLine): boolean =>
    (line.message.command === 'PRIVMSG' || line.message.command === 'NOTICE') &&
    line.message.nick.startsWith(nick) &&
    line.message.params[0] === channel;
  return {
    instances,
    config,
    env,
    channel,
    room,
    nick,
    database: database.name,
    watcher,
    start,
    ircSaid: (pattern) =>
      watcher.lines
        .filter(fromBot)
        .map((line) => ({ text: plain(line.message.params[1] ?? ''), at: line.at, nick: line.message.nick }))
        .filter((line) => pattern.test(line.text)),
    matrixSaid: (pattern) =>
      options.hs
        .timeline(room, { type: 'm.room.message', sender: options.bot.userId })
        .map((event) => ({ text: String(event.content.body), at: event.origin_server_ts }))
        .filter((event) => pattern.test(event.text)),
    transcript: () =>
      [
        'IRC:',
        ...watcher.lines
          .filter(fromBot)
          .map((line) => `  ${line.at} <${line.message.nick}> ${plain(line.message.params[1] ?? '')}`),
        'Matrix:',
        ...options.hs
          .timeline(room, { type: 'm.room.message', sender: options.bot.userId })
          .map((event) => `  ${event.origin_server_ts} ${String(event.content.body)}`),
        ...instances.flatMap((firebell, index) => [`instance ${index}:`, ...firebell.stderr.slice(-15)]),
      ].join('\n'),
    async close() {
      for (const firebell of instances) {
        firebell.kill('SIGCONT');
        firebell.kill('SIGKILL');
      }
      await Promise.all(instances.map((firebell) => firebell.exited));
      watcher.close();
      rmSync(root, { recursive: true, force: true });
      await adminQuery(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    },
  };
}

/** The JSON log lines of a process whose message matches. */
export const logged = (firebell: FirebellProcess, message: RegExp): Array<Record<string, unknown>> =>
  firebell.stderr
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => message.test(String(entry.msg)));

/** Polls `check` until it holds, or throws naming `what`. */
export async function until(
  check: () => boolean,
  timeoutMs: number,
  what: string,
  context?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`,
      );
    await sleep(25);
  }
}

/** Whether an instance is the active one (its log says it took the lease). */
export const isActive = (firebell: FirebellProcess): boolean =>
  logged(firebell, /took over the lease/).length > 0;

/** Whether an instance said it stands by. */
export const isStandingBy = (firebell: FirebellProcess): boolean =>
  logged(firebell, /standing by/).length > 0;
