/**
 * A tiny IRC server whose answers the test writes, for what no installed server does (a chathistory
 * server, a SASL exchange timed to the millisecond): each connection records the lines it received and
 * hands each one to the script, which answers through `send`.
 */
import { createServer, type Server, type Socket } from 'node:net';
import IRC, { type IrcMessage } from 'irc-framework';

export interface ScriptedClient {
  /** Lines received so far, in order. */
  readonly received: string[];
  send(line: string): void;
  close(): void;
}

export type Script = (message: IrcMessage, raw: string, client: ScriptedClient) => void;

export class ScriptedIrcServer {
  readonly clients: ScriptedClient[] = [];
  private readonly sockets: Socket[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async listen(script: Script): Promise<ScriptedIrcServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const scripted = new ScriptedIrcServer(server, port);
    server.on('connection', (socket) => scripted.accept(socket, script));
    return scripted;
  }

  /** Resolves once some connection received a line matching `predicate` (polls the record). */
  async received(predicate: (line: string) => boolean, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.clients.flatMap((client) => client.received).find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`the scripted server did not receive the line within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: Socket, script: Script): void {
    this.sockets.push(socket);
    socket.setEncoding('utf8');
    socket.on('error', () => undefined);
    const client: ScriptedClient = {
      received: [],
      send: (line) => {
        if (!socket.destroyed) socket.write(`${line}\r\n`);
      },
      close: () => socket.destroy(),
    };
    this.clients.push(client);
    let buffer = '';
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const raw = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        client.received.push(raw);
        const message = IRC.ircLineParser(raw);
        if (message) script(message, raw, client);
      }
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }
}
