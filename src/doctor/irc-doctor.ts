/**
 * `firebell doctor` on one IRC network: connect with the real settings and secrets, log in to services,
 * join each channel, see whether firebell may set its topic, ask NickServ whether each whitelisted
 * account and each contact's account exists, then quit. It sends no message to any channel or person.
 */
import IRC, { type Client, type IrcMessage } from 'irc-framework';
import type { IrcNetworkConfig } from '../config/schema.js';
import { deferCapEndPastLoggedIn } from '../networks/irc/irc-framework-adapter.js';
import { fail, ok, warn, type Finding, type NetworkReport } from './report.js';

export interface IrcChannelToCheck {
  readonly name: string;
  readonly key?: string;
  /** firebell changes this channel's topic (`#status alert`), so it needs the right to. */
  readonly topic: boolean;
}

export interface IrcAccountToCheck {
  /** Who, for the report: "contact mara (Mara Quillfeather)". */
  readonly who: string;
  readonly account: string;
}

export interface IrcDoctorInput {
  readonly network: IrcNetworkConfig;
  readonly channels: readonly IrcChannelToCheck[];
  readonly accounts: readonly IrcAccountToCheck[];
  readonly adminContact: string;
  /** How long the whole check of this network may take. */
  readonly timeoutMs: number;
}

/** Numerics that refuse a JOIN, in words. */
const JOIN_REFUSALS: Record<string, string> = {
  '403': 'the channel does not exist',
  '405': 'firebell is in too many channels',
  '471': 'the channel is full (+l)',
  '473': 'the channel is invite-only (+i): invite firebell, or give it an invite exception',
  '474': 'firebell is banned (+b)',
  '475': 'wrong channel key (+k): check networks.irc[].channelKeys',
  '477': 'the channel needs a registered, identified nick',
  '489': 'the channel needs a TLS connection',
  '520': 'the channel is for IRC operators only',
};

/** Channel prefixes that may change a +t topic (owner, admin, op, halfop). */
const TOPIC_PREFIXES = ['~', '&', '@', '%'];
/** How long NickServ gets to answer one INFO. */
const NICKSERV_ANSWER_MS = 4000;
/** NickServ's words for "no such account", in Anope and Atheme. */
const NOT_REGISTERED = /is ?n[o']t registered|isn't registered|not a registered|no such (nick|account)/i;
/** NickServ's words for a rejected IDENTIFY. */
const IDENTIFY_REFUSED = /invalid|incorrect|denied|failed|not registered|isn't registered|wrong password/i;

/** The lines of one connection, and a way to wait for the next one that matters. */
class LineWaiter {
  private readonly seen: IrcMessage[] = [];
  private wake: (() => void) | undefined;
  closed: string | undefined;

  push(message: IrcMessage): void {
    this.seen.push(message);
    this.wake?.();
  }

  close(reason: string): void {
    this.closed = reason;
    this.wake?.();
  }

  /** The first line from now on (or already seen, from `from`) that `match` accepts, or undefined at the deadline. */
  async next(
    match: (message: IrcMessage) => boolean,
    deadline: number,
    from = this.seen.length,
  ): Promise<IrcMessage | undefined> {
    let index = from;
    for (;;) {
      for (; index < this.seen.length; index += 1) {
        const message = this.seen[index];
        if (message && match(message)) return message;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closed !== undefined) return undefined;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  get length(): number {
    return this.seen.length;
  }

  since(from: number): IrcMessage[] {
    return this.seen.slice(from);
  }
}

export async function diagnoseIrc(input: IrcDoctorInput): Promise<NetworkReport> {
  const { network } = input;
  const title = `IRC ${network.id} (${network.host}:${network.port}${network.tls ? ', TLS' : ''})`;
  const findings: Finding[] = [];
  const deadline = Date.now() + input.timeoutMs;
  const lines = new LineWaiter();
  const client = new IRC.Client();
  client.use((_client, raw) =>
    raw.use((command, _message, _line, owner, next) => {
      if (!deferCapEndPastLoggedIn(command, owner, next)) next();
    }),
  );
  client.connection.on('message', (message) => lines.push(message));
  client.on('socket close', (error) => lines.close(error ? error.message : 'connection closed'));
  const saslFailure = new Promise<string>((resolve) =>
    client.on('sasl failed', (failure) =>
      resolve(`${failure.reason}${failure.message ? `: ${failure.message}` : ''}`),
    ),
  );
  let saslFailed: string | undefined;
  void saslFailure.then((reason) => (saslFailed = reason));

  try {
    client.connect({
      host: network.host,
      port: network.port,
      tls: network.tls,
      rejectUnauthorized: network.tlsRejectUnauthorized,
      nick: network.nick,
      username: network.username,
      gecos: network.realname ?? `firebell incident bot (admin: ${input.adminContact}) - doctor`,
      ...(network.password === undefined ? {} : { password: network.password }),
      account: network.sasl ? { account: network.sasl.account, password: network.sasl.password } : {},
      auto_reconnect: false,
      ping_interval: 0,
      ping_timeout: 0,
      enable_echomessage: false,
      enable_chghost: false,
      version: null,
      encoding: 'utf8',
    });
    const nick = await register(client, lines, network, deadline, findings);
    if (nick === undefined) return { title, findings };
    await servicesLogin(client, lines, network, deadline, findings, () => saslFailed);
    for (const channel of input.channels) await joinChannel(client, lines, nick, channel, deadline, findings);
    for (const account of input.accounts) await checkAccount(client, lines, account, deadline, findings);
    return { title, findings };
  } finally {
    disconnect(client);
  }
}

/** Registration, moving to another nick if the configured one is taken (by the running bot, perhaps). */
async function register(
  client: Client,
  lines: LineWaiter,
  network: IrcNetworkConfig,
  deadline: number,
  findings: Finding[],
): Promise<string | undefined> {
  let attempts = 0;
  for (;;) {
    const answer = await lines.next(
      (message) => ['001', '432', '433', 'ERROR', '465'].includes(message.command),
      deadline,
    );
    if (!answer) {
      findings.push(
        fail(
          'connect',
          lines.closed ? `could not connect: ${lines.closed}` : 'no answer from the server in time',
        ),
      );
      return undefined;
    }
    if (answer.command === '001') {
      const nick = answer.params[0] ?? network.nick;
      findings.push(ok('connect', `registered as ${nick}`));
      if (attempts > 0)
        findings.push(
          warn('nick', `${network.nick} is in use (the running bot, or someone else); checked as ${nick}`),
        );
      return nick;
    }
    if (answer.command === 'ERROR' || answer.command === '465') {
      findings.push(
        fail('connect', `the server refused the connection: ${answer.params.at(-1) ?? answer.command}`),
      );
      return undefined;
    }
    if (answer.command === '432') {
      findings.push(
        fail('nick', `the server refuses the nick ${network.nick}: ${answer.params.at(-1) ?? ''}`),
      );
      return undefined;
    }
    attempts += 1;
    client.connection.write(`NICK ${network.nick.slice(0, 12)}doc${attempts}`);
  }
}

async function servicesLogin(
  client: Client,
  lines: LineWaiter,
  network: IrcNetworkConfig,
  deadline: number,
  findings: Finding[],
  saslFailed: () => string | undefined,
): Promise<void> {
  const loggedIn = (message: IrcMessage): boolean => message.command === '900';
  if (network.sasl) {
    const account = network.sasl.account;
    if (await lines.next(loggedIn, Math.min(deadline, Date.now() + 1000), 0)) {
      findings.push(ok('services login', `SASL as ${account}`));
      return;
    }
    const why = saslFailed() ?? 'the server did not confirm it';
    findings.push(
      network.nickservPassword === undefined
        ? fail('services login', `SASL as ${account} failed (${why}) and no nickservPassword is configured`)
        : warn(
            'services login',
            `SASL as ${account} failed (${why}); trying NickServ IDENTIFY, as firebell would`,
          ),
    );
    if (network.nickservPassword === undefined) return;
  }
  const password = network.nickservPassword;
  if (password === undefined) {
    findings.push(
      warn(
        'services login',
        'none configured (sasl or nickservPassword): firebell is not identified, and channels that need a registered nick refuse it',
      ),
    );
    return;
  }
  const account = network.sasl?.account ?? network.nick;
  const from = lines.length;
  client.connection.write(`PRIVMSG NickServ :IDENTIFY ${account} ${password}`);
  const answer = await lines.next(
    (message) =>
      loggedIn(message) ||
      message.command === '401' ||
      (message.command === 'NOTICE' &&
        message.nick.toLowerCase() === 'nickserv' &&
        IDENTIFY_REFUSED.test(message.params.at(-1) ?? '')),
    Math.min(deadline, Date.now() + NICKSERV_ANSWER_MS * 2),
    from,
  );
  if (answer && loggedIn(answer)) findings.push(ok('services login', `NickServ IDENTIFY as ${account}`));
  else if (answer?.command === '401')
    findings.push(fail('services login', 'there is no NickServ on this network'));
  else if (answer)
    findings.push(
      fail('services login', `NickServ refused IDENTIFY as ${account}: ${strip(answer.params.at(-1))}`),
    );
  else findings.push(fail('services login', `NickServ did not confirm IDENTIFY as ${account} in time`));
}

async function joinChannel(
  client: Client,
  lines: LineWaiter,
  nick: string,
  channel: IrcChannelToCheck,
  deadline: number,
  findings: Finding[],
): Promise<void> {
  const from = lines.length;
  const same = (name: string | undefined): boolean =>
    name !== undefined && client.caseCompare(name, channel.name);
  client.connection.write(
    channel.key === undefined ? `JOIN ${channel.name}` : `JOIN ${channel.name} ${channel.key}`,
  );
  const answer = await lines.next(
    (message) =>
      (message.command === 'JOIN' && client.caseCompare(message.nick, nick) && same(message.params[0])) ||
      (message.command in JOIN_REFUSALS && same(message.params[1])),
    deadline,
    from,
  );
  if (!answer) {
    findings.push(warn(`join ${channel.name}`, 'no answer in time'));
    return;
  }
  if (answer.command !== 'JOIN') {
    findings.push(
      fail(
        `join ${channel.name}`,
        `${JOIN_REFUSALS[answer.command] ?? answer.command} (${strip(answer.params.at(-1))})`,
      ),
    );
    return;
  }
  findings.push(ok(`join ${channel.name}`, 'joined'));
  if (!channel.topic) return;
  const names = await lines.next(
    (message) => message.command === '366' && same(message.params[1]),
    deadline,
    from,
  );
  // NAMES entries are "@nick", or "@nick!user@host" with userhost-in-names: only the leading symbols count.
  const entry = lines
    .since(from)
    .filter((message) => message.command === '353' && same(message.params[2]))
    .flatMap((message) => (message.params[3] ?? '').split(' '))
    .find((name) => client.caseCompare(name.replace(/^[~&@%+]+/, '').split('!')[0] ?? '', nick));
  const symbols = /^[~&@%+]*/.exec(entry ?? '')?.[0] ?? '';
  const modesFrom = lines.length;
  client.connection.write(`MODE ${channel.name}`);
  const modes = await lines.next(
    (message) => message.command === '324' && same(message.params[1]),
    deadline,
    modesFrom,
  );
  if (!names || !modes) {
    findings.push(warn(`topic in ${channel.name}`, 'could not read the channel modes in time'));
    return;
  }
  const protectedTopic = (modes.params[2] ?? '').includes('t');
  const canSet = TOPIC_PREFIXES.some((symbol) => symbols.includes(symbol));
  if (!protectedTopic) findings.push(ok(`topic in ${channel.name}`, 'anyone may set it (-t)'));
  else if (canSet) findings.push(ok(`topic in ${channel.name}`, 'firebell is a channel operator'));
  else
    findings.push(
      fail(
        `topic in ${channel.name}`,
        'the channel is +t and firebell is not a channel operator: #status alert cannot change the topic (give it +o or ChanServ access, or set topic: false for this member)',
      ),
    );
}

async function checkAccount(
  client: Client,
  lines: LineWaiter,
  account: IrcAccountToCheck,
  deadline: number,
  findings: Finding[],
): Promise<void> {
  const from = lines.length;
  client.connection.write(`PRIVMSG NickServ :INFO ${account.account}`);
  const what = `${account.who}: IRC account ${account.account}`;
  const fromNickServ = (message: IrcMessage): boolean =>
    message.command === 'NOTICE' && message.nick.toLowerCase() === 'nickserv';
  const first = await lines.next(
    (message) => fromNickServ(message) || message.command === '401',
    Math.min(deadline, Date.now() + NICKSERV_ANSWER_MS),
    from,
  );
  if (!first) {
    findings.push(warn(what, 'NickServ did not answer INFO in time'));
    return;
  }
  if (first.command === '401') {
    findings.push(warn(what, 'there is no NickServ on this network to ask'));
    return;
  }
  // Let the rest of the answer arrive: the verdict may be on any of its lines.
  await lines.next(() => false, Math.min(deadline, Date.now() + 300), lines.length);
  const answer = lines
    .since(from)
    .filter(fromNickServ)
    .map((message) => strip(message.params.at(-1)));
  if (answer.some((text) => NOT_REGISTERED.test(text)))
    findings.push(
      fail(what, `not registered with NickServ, so firebell can never recognise them (${answer[0] ?? ''})`),
    );
  else findings.push(ok(what, 'registered'));
}

function disconnect(client: Client): void {
  try {
    if (client.connected) client.quit('firebell doctor: checked, leaving');
    setTimeout(() => client.connection.end(), 500).unref();
  } catch {
    // The connection was never made or is gone already.
  }
}

/** IRC formatting and control characters out of a server's text. */
function strip(text: string | undefined): string {
  return (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
}
