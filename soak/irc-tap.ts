/**
 * A recording tap in front of an IRC server: a TCP proxy that forwards bytes unchanged both ways and records,
 * with its arrival time, every line the client (firebell) wrote. Lines are kept as raw bytes turned into text
 * by latin1, so a CR, NUL or invalid UTF-8 byte firebell let through is seen exactly as it went out.
 *
 * When the server dies the client's connection is closed too, as a real network would; a client that
 * reconnects while the server is down is refused (closed at once), until the server is back.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TappedLine {
  /** ms since epoch, when the tap read the line's end. */
  readonly at: number;
  /** Which client connection wrote it (1, 2, ... in accept order): reconnections start a new number. */
  readonly connection: number;
  /** The line without its terminating LF (and CR, when it ended with CRLF), latin1-decoded raw bytes. */
  readonly raw: string;
}

export class IrcTap {
  readonly lines: TappedLine[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly open = new Set<number>();
  private connections = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards each connection to 127.0.0.1:`upstreamPort`. */
  static async start(upstreamPort: number): Promise<IrcTap> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('tap: no TCP address');
    const tap = new IrcTap(server, address.port);
    server.on('connection', (client) => tap.accept(client, upstreamPort));
    return tap;
  }

  /** Closes every proxied connection at once, as a network cut would. */
  cut(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** The client connections open now (their numbers): whose they are is the harness's to know. */
  openConnections(): number[] {
    return [...this.open];
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, upstreamPort: number): void {
    const connection = ++this.connections;
    const upstream = connect(upstreamPort, '127.0.0.1');
    this.sockets.add(client);
    this.sockets.add(upstream);
    this.open.add(connection);
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = this.record(connection, Buffer.concat([pending, chunk]));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.open.delete(connection);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  }

  /** Records every complete line in `buffer`; returns the unfinished rest. */
  private record(connection: number, buffer: Buffer): Buffer {
    let start = 0;
    for (let end = buffer.indexOf(0x0a); end !== -1; end = buffer.indexOf(0x0a, start)) {
      const stop = end > start && buffer[end - 1] === 0x0d ? end - 1 : end;
      this.lines.push({ at: Date.now(), connection, raw: buffer.subarray(start, stop).toString('latin1') });
      start = end + 1;
    }
    return buffer.subarray(start);
  }
}
