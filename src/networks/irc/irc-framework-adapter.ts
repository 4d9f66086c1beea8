/**
 * The one file that knows irc-framework beyond its documented surface. firebell uses the library for the
 * transport (TCP/TLS), line parsing, CAP negotiation with SASL, PING replies and ISUPPORT, and reads every
 * parsed line itself. A few things it needs are not public API, and they live here, checked by
 * `frameworkShapeProblems` (test/networks/irc/irc-framework-adapter.test.ts fails loudly when the pinned
 * version changes them):
 *
 * - `connection.transport.socket`: to turn Nagle's algorithm off (lines are whole and paced already).
 * - `connection.write(line, callback)`: the callback says when the line reached the socket; `client.raw()`
 *   has none, and a delivery counts only once written.
 * - `connection.on('message')`: every parsed line, before irc-framework's handlers buffer batches. A chat
 *   line (PRIVMSG, NOTICE, TAGMSG) is read earlier still, in the raw middleware, before irc-framework
 *   handles it: the library only turns it into events firebell does not use, and a command or a relayed
 *   line should not wait for that (a few hundred microseconds when the process has been idle).
 * - `network.cap.negotiating`: held while SASL finishes (kiwiirc/irc-framework#390, see below).
 * - `network.cap.available` / `isEnabled`, `network.options.PREFIX`: what the server offered and enabled.
 */
import IRC, { type Client, type ConnectOptions, type IrcMessage, type RawMiddleware } from 'irc-framework';
import type { IrcNetworkConfig } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';

/** The irc-framework version these internals were checked against (package.json pins it). */
export const PINNED_FRAMEWORK_VERSION = '4.14.0';

export interface FrameworkHooks {
  /** The TCP (or TLS) connection is up; registration starts. */
  socketConnected(): void;
  /** The socket closed, with the error that closed it if any. */
  socketClosed(error: Error | undefined): void;
  /** A parsed line from the server. */
  line(message: IrcMessage): void;
  /** Any line crossed the socket; `fromServer` false for lines we (or the library) wrote. */
  raw(fromServer: boolean): void;
  saslFailed(reason: string, serverText: string | undefined): void;
}

export interface FrameworkOptions {
  /** Capabilities to leave unused even when the server offers them. */
  readonly hideCaps: readonly string[];
  /** Capabilities to request beyond irc-framework's own list (chathistory). */
  readonly extraCaps: readonly string[];
}

/**
 * How firebell connects: irc-framework's reconnect and PING loop off (the ConnectionSupervisor owns both),
 * echo-message on (a delivery is confirmed by its echo), CTCP left to us.
 */
export function connectOptions(config: IrcNetworkConfig, nick: string, gecos: string): ConnectOptions {
  return {
    host: config.host,
    port: config.port,
    tls: config.tls,
    rejectUnauthorized: config.tlsRejectUnauthorized,
    nick,
    username: config.username,
    gecos,
    ...(config.password === undefined ? {} : { password: config.password }),
    account: config.sasl ? { account: config.sasl.account, password: config.sasl.password } : {},
    auto_reconnect: false,
    ping_interval: 0,
    ping_timeout: 0,
    enable_echomessage: true,
    enable_chghost: true,
    version: null,
    encoding: 'utf8',
  };
}

/** Lines that change none of irc-framework's state: firebell reads them before the library does. */
const CHAT_COMMANDS: ReadonlySet<string> = new Set(['PRIVMSG', 'NOTICE', 'TAGMSG']);

/** One connection attempt: an irc-framework Client and what firebell asks of it. */
export class FrameworkConnection {
  private readonly client: Client;

  constructor(
    private readonly options: FrameworkOptions,
    private readonly hooks: FrameworkHooks,
  ) {
    const client = new IRC.Client();
    this.client = client;
    for (const cap of options.extraCaps) client.requestCap(cap);
    client.use((_client, rawMiddleware) => rawMiddleware.use(this.middleware));
    client.on('socket close', (error) => hooks.socketClosed(error || undefined));
    client.on('socket connected', () => {
      // Lines are whole and paced already: Nagle's algorithm would only hold a reply back.
      client.connection.transport?.socket?.setNoDelay(true);
      hooks.socketConnected();
    });
    client.on('raw', (event) => hooks.raw(event.from_server));
    client.on('sasl failed', (failure) => hooks.saslFailed(failure.reason, failure.message));
    // Chat lines went to `hooks.line` from the middleware already (irc-framework runs it for every line,
    // with the command it then dispatches on).
    client.connection.on('message', (message) => {
      if (!CHAT_COMMANDS.has(message.command)) hooks.line(message);
    });
  }

  connect(options: ConnectOptions): void {
    this.client.connect(options);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /**
   * Writes one line (no CRLF). `written` hears when the socket took it (an error when it could not);
   * returns false when the connection is not open (then `written` is never called).
   */
  write(line: string, written?: (error?: Error) => void): boolean {
    if (!this.client.connected) return false;
    // Node calls a write callback with null on success.
    const callback = written && ((error?: Error | null) => written(error ?? undefined));
    return this.client.connection.write(line, callback) !== false;
  }

  /** Says goodbye and resolves when the server closed the socket, or after `waitMs`. */
  quit(message: string, waitMs: number, clock: Clock): Promise<void> {
    return new Promise((resolve) => {
      const timer = clock.setTimeout(resolve, waitMs);
      this.client.on('socket close', () => {
        clock.clearTimeout(timer);
        resolve();
      });
      this.client.quit(message);
    });
  }

  /** Forgets every listener and destroys the socket if it is still open; nothing comes back after this. */
  destroy(): void {
    this.client.removeAllListeners();
    this.client.connection.end(undefined, true);
  }

  /** An ISUPPORT token's value: true for a bare token, undefined when absent. */
  supports(token: string): unknown {
    return this.client.network.supports(token);
  }

  capEnabled(cap: string): boolean {
    return this.client.network.cap.isEnabled(cap);
  }

  capOffered(cap: string): boolean {
    return this.client.network.cap.available.has(cap);
  }

  /** Whether the server carries this client-only tag: message-tags enabled, and CLIENTTAGDENY allows it. */
  clientTagAllowed(tag: string): boolean {
    return this.client.network.supportsTag(tag.replace(/^\+/, ''));
  }

  /** The nick prefixes (@, +, ...) of the server's PREFIX token. */
  prefixSymbols(): Set<string> {
    const prefix = this.client.network.options.PREFIX as { symbol: string }[] | undefined;
    return new Set((prefix ?? []).map((entry) => entry.symbol));
  }

  /** What in the client does not look as this file expects (empty when all is well). */
  shapeProblems(): string[] {
    return frameworkShapeProblems(this.client);
  }

  /**
   * Runs before irc-framework handles a line. It gives chat lines to firebell first (see the top of this
   * file), hides capabilities we were told not to use, and works
   * around the SASL race of irc-framework 4.14 (kiwiirc/irc-framework#390): it sends CAP END on 900, before
   * 903 arrives, which some services take as an abort. CAP END then waits for 903/904.
   */
  private readonly middleware: RawMiddleware = (command, message, _raw, client, next) => {
    if (CHAT_COMMANDS.has(command)) this.hooks.line(message);
    const hidden = this.options.hideCaps;
    if (command === 'CAP' && hidden.length > 0 && ['LS', 'NEW'].includes(message.params[1] ?? '')) {
      const last = message.params.length - 1;
      message.params[last] = (message.params[last] ?? '')
        .split(' ')
        .filter((cap) => !hidden.includes(cap.split('=')[0] ?? ''))
        .join(' ');
    }
    if (deferCapEndPastLoggedIn(command, client, next)) return;
    next();
  };
}

/**
 * The SASL race of irc-framework 4.14 (kiwiirc/irc-framework#390): it sends CAP END on 900 RPL_LOGGEDIN,
 * before 903 arrives, which some services take as an abort. Run inside a raw middleware (the adapter's,
 * and `firebell doctor`'s), this hides the negotiation from irc-framework's 900 handler, so CAP END waits
 * for 903/904. Returns true when it handled the line (and called `next`).
 */
export function deferCapEndPastLoggedIn(command: string, client: Client, next: () => void): boolean {
  if (command !== '900' || !client.network.cap.negotiating || !client.network.cap.isEnabled('sasl'))
    return false;
  client.network.cap.negotiating = false;
  next();
  client.network.cap.negotiating = true;
  return true;
}

/**
 * The internals this file relies on, checked on a client (after 'socket connected' for the transport).
 * Each problem names what changed, so an upgrade of irc-framework fails with a reason, not a hang.
 */
export function frameworkShapeProblems(client: Client): string[] {
  const problems: string[] = [];
  const cap = client.network?.cap as Partial<Client['network']['cap']> | undefined;
  if (typeof cap?.negotiating !== 'boolean') problems.push('network.cap.negotiating is not a boolean');
  if (!(cap?.available instanceof Map)) problems.push('network.cap.available is not a Map');
  if (typeof cap?.isEnabled !== 'function') problems.push('network.cap.isEnabled is not a function');
  if (typeof client.network?.supports !== 'function') problems.push('network.supports is not a function');
  if (typeof client.network?.supportsTag !== 'function')
    problems.push('network.supportsTag is not a function');
  if (typeof client.network?.options !== 'object') problems.push('network.options is missing');
  if (typeof client.connection?.write !== 'function') problems.push('connection.write is not a function');
  else if (client.connection.write.length < 2) problems.push('connection.write takes no callback');
  if (typeof client.connection?.on !== 'function') problems.push('connection is not an event emitter');
  if (typeof client.connection?.end !== 'function') problems.push('connection.end is not a function');
  if (typeof client.requestCap !== 'function') problems.push('client.requestCap is not a function');
  if (client.connected) {
    const socket = client.connection.transport?.socket;
    if (typeof socket?.setNoDelay !== 'function')
      problems.push('connection.transport.socket is not a net.Socket once connected');
  }
  return problems;
}
