/**
 * The reconnect supervisor wired into IrcNetwork, against a tiny in-process IRC server the test controls:
 * a first connect that fails is retried until the server appears, and a server that goes silent is
 * detected by the ping timeout and reconnected to.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../../servers/server-process.js';
import { startBot, type RunningBot } from './bot-harness.js';
import { ircConfig, until } from './helpers.js';

/** Registers whoever connects; answers PINGs unless told to play dead. */
class FakeIrcServer {
  readonly connections: Socket[] = [];
  silent = false;
  private constructor(private readonly server: Server) {}

  static async listen(port: number): Promise<FakeIrcServer> {
    const server = createServer();
    const fake = new FakeIrcServer(server);
    server.on('connection', (socket) => fake.accept(socket));
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return fake;
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private accept(socket: Socket): void {
    this.connections.push(socket);
    socket.setEncoding('utf8');
    let buffer = '';
    let nick = '*';
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
        const line = buffer.slice(0, end).replace(/\r$/, '');
        buffer = buffer.slice(end + 1);
        const [command, ...rest] = line.split(' ');
        if (command === 'CAP' && rest[0] === 'LS') socket.write(':fake.test CAP * LS :\r\n');
        if (command === 'NICK') nick = rest[0] ?? nick;
        if (command === 'USER')
          socket.write(
            `:fake.test 001 ${nick} :Welcome ${nick}!u@h\r\n:fake.test 376 ${nick} :End of MOTD\r\n`,
          );
        if (command === 'PING' && !this.silent)
          socket.write(`:fake.test PONG fake.test ${rest.join(' ')}\r\n`);
      }
    });
  }
}

const running: RunningBot[] = [];
const servers: FakeIrcServer[] = [];
after(async () => {
  for (const bot of running) await bot.network.stop();
  for (const server of servers) await server.close();
});

test('a failed first connect is retried with backoff until the server is there', async () => {
  const port = await freePort();
  const bot = await startBot(ircConfig({ port, nick: 'fbbot' }), [], { random: () => 0.9999999 });
  running.push(bot);
  await until(() => bot.log.matching('reconnecting in', 'warn').length >= 2, 'two failed attempts', 6000);
  const waits = bot.log.matching('reconnecting in', 'warn').map((entry) => entry.fields.delayMs);
  assert.deepEqual(waits.slice(0, 2), [1000, 2000]);
  assert.match(bot.log.matching('reconnecting in', 'warn')[0]?.message ?? '', /ECONNREFUSED/);
  const server = await FakeIrcServer.listen(port);
  servers.push(server);
  await until(
    () => bot.network.connectionState() === 'connected',
    'registration once the server is up',
    6000,
  );
  assert.equal(server.connections.length, 1);
});

test('a server that goes silent is noticed by the ping timeout, and the bot reconnects', async () => {
  const port = await freePort();
  const server = await FakeIrcServer.listen(port);
  servers.push(server);
  const bot = await startBot(ircConfig({ port, nick: 'fbbot', pingTimeoutSeconds: 1 }), [], {
    random: () => 0,
  });
  running.push(bot);
  await until(() => bot.network.connectionState() === 'connected', 'registration');
  server.silent = true;
  await until(() => bot.log.matching('ping timeout', 'warn').length === 1, 'the ping timeout', 5000);
  assert.match(
    bot.log.matching('ping timeout', 'warn')[0]?.message ?? '',
    /ping timeout: no data from the server for 1 s\); reconnecting in 1\.0 s/,
  );
  server.silent = false;
  await until(() => server.connections.length === 2, 'a second connection', 5000);
  await until(() => bot.network.connectionState() === 'connected', 'registered again');
  assert.deepEqual(
    bot.events.states.map((entry) => entry.state),
    ['connecting', 'connected', 'disconnected', 'connecting', 'connected'],
  );
  await bot.network.stop();
  assert.equal(bot.network.connectionState(), 'stopped');
  assert.equal(bot.events.states[bot.events.states.length - 1]?.state, 'stopped');
});
