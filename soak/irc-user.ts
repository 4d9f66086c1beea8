/**
 * A person on the soak's IRC server (the reporter who declares incidents, the fuzzer): a raw socket that
 * registers, joins, answers PINGs and writes message text as raw bytes (invalid UTF-8 and control
 * characters go out as given). When the server dies it is simply disconnected; `ensureConnected` comes back.
 */
import { connect, type Socket } from 'node:net';

const REGISTER_TIMEOUT_MS = 10_000;

export class SoakIrcUser {
  private socket: Socket | undefined;
  private ready = false;

  constructor(
    private readonly port: number,
    readonly nick: string,
    private readonly channels: readonly string[],
  ) {}

  get connected(): boolean {
    return this.ready;
  }

  /** Connects and joins unless already there; false when the server does not answer in time. */
  async ensureConnected(): Promise<boolean> {
    if (this.ready) return true;
    this.close();
    const socket = connect(this.port, '127.0.0.1');
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const joined = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), REGISTER_TIMEOUT_MS);
      let buffer = '';
      let waiting = new Set(this.channels.map((channel) => channel.toLowerCase()));
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('latin1');
        let end: number;
        while ((end = buffer.indexOf('\n')) !== -1) {
          const line = buffer.slice(0, end).replace(/\r$/, '');
          buffer = buffer.slice(end + 1);
          const words = line.split(' ');
          if (words[0] === 'PING') socket.write(`PONG ${words.slice(1).join(' ')}\r\n`);
          else if (words[1] === '001') socket.write(`JOIN ${this.channels.join(',')}\r\n`);
          else if (words[1] === '366') {
            waiting.delete((words[3] ?? '').toLowerCase());
            if (waiting.size === 0) {
              waiting = new Set(['done']);
              clearTimeout(timer);
              resolve(true);
            }
          }
        }
      });
      socket.on('close', () => {
        this.ready = false;
        clearTimeout(timer);
        resolve(false);
      });
    });
    socket.once('connect', () => socket.write(`NICK ${this.nick}\r\nUSER ${this.nick} 0 * :soak user\r\n`));
    this.ready = await joined;
    if (!this.ready) this.close();
    return this.ready;
  }

  /** `PRIVMSG target :text` with the text's bytes exactly as given. False when not connected. */
  say(target: string, text: Buffer | string): boolean {
    if (!this.ready || !this.socket) return false;
    const body = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    this.socket.write(Buffer.concat([Buffer.from(`PRIVMSG ${target} :`), body, Buffer.from('\r\n')]));
    return true;
  }

  close(): void {
    this.ready = false;
    this.socket?.destroy();
    this.socket = undefined;
  }
}
