/**
 * A human on IRC, for the tests: a raw socket that registers (optionally with CAPs and SASL PLAIN), answers
 * PINGs, records every line with its arrival time, and lets a test wait for a line with a deadline.
 */
import { connect, type Socket } from 'node:net';
import IRC, { type IrcMessage } from 'irc-framework';

export interface ReceivedLine {
  readonly at: number;
  readonly raw: string;
  readonly message: IrcMessage;
}

export interface TestClientOptions {
  readonly port: number;
  readonly nick: string;
  readonly caps?: readonly string[];
  readonly sasl?: { readonly account: string; readonly password: string };
  readonly timeoutMs?: number;
}

export class IrcTestClient {
  readonly lines: ReceivedLine[] = [];
  private buffer = '';
  private readonly waiters = new Set<() => void>();
  private readonly listeners: ((line: ReceivedLine) => void)[] = [];
  private closedFlag = false;
  nick: string;

  private constructor(
    private readonly socket: Socket,
    nick: string,
  ) {
    this.nick = nick;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('close', () => {
      this.closedFlag = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(options: TestClientOptions): Promise<IrcTestClient> {
    const socket = connect(options.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const client = new IrcTestClient(socket, options.nick);
    await client.register(options);
    return client;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  say(target: string, text: string): void {
    this.send(`PRIVMSG ${target} :${text}`);
  }

  async join(channel: string): Promise<void> {
    const from = this.lines.length;
    this.send(`JOIN ${channel}`);
    await this.waitFor((line) => line.message.command === '366' && line.message.params[1] === channel, {
      from,
      what: `end of NAMES for ${channel}`,
    });
  }

  /** Waits for a line matching `predicate`, looking at lines from index `from` (default: all). */
  async waitFor(
    predicate: (line: ReceivedLine) => boolean,
    options: { from?: number; timeoutMs?: number; what?: string } = {},
  ): Promise<ReceivedLine> {
    const timeoutMs = options.timeoutMs ?? 8000;
    const deadline = Date.now() + timeoutMs;
    let index = options.from ?? 0;
    for (;;) {
      for (; index < this.lines.length; index += 1) {
        const line = this.lines[index] as ReceivedLine;
        if (predicate(line)) return line;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.closedFlag)
        throw new Error(
          `${this.nick}: ${this.closedFlag ? 'connection closed' : `no ${options.what ?? 'matching line'} within ${timeoutMs} ms`}; last lines:\n${this.lines
            .slice(-8)
            .map((line) => line.raw)
            .join('\n')}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, left);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  /** The texts of PRIVMSG/NOTICE lines from `sender` to `target` received so far. */
  messagesFrom(sender: string, target?: string, from = 0): ReceivedLine[] {
    return this.lines
      .slice(from)
      .filter(
        (line) =>
          (line.message.command === 'PRIVMSG' || line.message.command === 'NOTICE') &&
          line.message.nick.toLowerCase() === sender.toLowerCase() &&
          (target === undefined || (line.message.params[0] ?? '').toLowerCase() === target.toLowerCase()),
      );
  }

  async quit(message = 'bye'): Promise<void> {
    if (this.closedFlag) return;
    this.send(`QUIT :${message}`);
    await Promise.race([
      new Promise((resolve) => this.socket.once('close', resolve)),
      new Promise((resolve) => setTimeout(resolve, 2000).unref()),
    ]);
    this.socket.destroy();
  }

  close(): void {
    this.socket.destroy();
  }

  /** Calls `listener` for every line as it arrives (an echo client answers from here, with no delay). */
  onLine(listener: (line: ReceivedLine) => void): void {
    this.listeners.push(listener);
  }

  private async register(options: TestClientOptions): Promise<void> {
    const caps = [...(options.caps ?? []), ...(options.sasl ? ['sasl'] : [])];
    if (caps.length > 0) this.send('CAP LS 302');
    this.send(`NICK ${options.nick}`);
    this.send(`USER ${options.nick} 0 * :firebell test user ${options.nick}`);
    if (caps.length > 0) {
      const ls = await this.waitFor(
        (line) => line.message.command === 'CAP' && line.message.params[1] === 'LS',
      );
      const offered = (ls.message.params[ls.message.params.length - 1] ?? '')
        .split(' ')
        .map((cap) => cap.split('=')[0]);
      const wanted = caps.filter((cap) => offered.includes(cap));
      if (wanted.length > 0) {
        this.send(`CAP REQ :${wanted.join(' ')}`);
        await this.waitFor(
          (line) => line.message.command === 'CAP' && ['ACK', 'NAK'].includes(line.message.params[1] ?? ''),
        );
      }
      if (options.sasl && wanted.includes('sasl')) {
        this.send('AUTHENTICATE PLAIN');
        await this.waitFor((line) => line.message.command === 'AUTHENTICATE');
        const { account, password } = options.sasl;
        this.send(`AUTHENTICATE ${Buffer.from(`${account}\0${account}\0${password}`).toString('base64')}`);
        await this.waitFor((line) => ['903', '904', '905'].includes(line.message.command), {
          what: 'SASL result',
        });
      }
      this.send('CAP END');
    }
    const welcome = await this.waitFor((line) => ['001', '433', '432'].includes(line.message.command), {
      timeoutMs: options.timeoutMs ?? 8000,
      what: 'registration',
    });
    if (welcome.message.command !== '001')
      throw new Error(`${options.nick}: registration refused: ${welcome.raw}`);
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end = this.buffer.indexOf('\n');
    while (end >= 0) {
      const raw = this.buffer.slice(0, end).replace(/\r$/, '');
      this.buffer = this.buffer.slice(end + 1);
      const message = IRC.ircLineParser(raw);
      if (message) {
        if (message.command === 'PING') this.send(`PONG :${message.params[0] ?? ''}`);
        if (message.command === 'NICK' && message.nick === this.nick)
          this.nick = message.params[0] ?? this.nick;
        const line = { at: performance.now(), raw, message };
        this.lines.push(line);
        for (const listener of this.listeners) listener(line);
      }
      end = this.buffer.indexOf('\n');
    }
    this.wake();
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }
}
