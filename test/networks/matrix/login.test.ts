/**
 * Starting up: clear errors for a URL that is no homeserver or cannot be reached, for a rejected token,
 * a token of the wrong user and a wrong password; a password exchanged for a token once, the token
 * stored and reused; and no secret in any error or log line.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { MatrixStartError } from '../../../src/networks/matrix/login.js';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';
import { MemoryLogger } from '../../support/memory-logger.js';
import { startBot } from './harness.js';

let hs: TestHomeserver;
let botUser: TestUser;
let alice: TestUser;
let website: Server;
let websiteUrl: string;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell', { password: 'correct horse battery staple' });
  alice = hs.createUser('alice');
  // A web server that is not a homeserver: HTML for /, 404 for everything else.
  website = createServer((request, response) => {
    if (request.url === '/ok/_matrix/client/versions') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>welcome</html>');
      return;
    }
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html>not found</html>');
  });
  await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
  websiteUrl = `http://127.0.0.1:${(website.address() as AddressInfo).port}`;
});
after(async () => {
  website.closeAllConnections();
  await new Promise((resolve) => website.close(resolve));
  await hs.stop();
});

async function startFailure(options: Parameters<typeof startBot>[2]): Promise<MatrixStartError> {
  try {
    const bot = await startBot(hs, botUser, options);
    await bot.stop();
  } catch (error) {
    assert.ok(error instanceof MatrixStartError, `expected a MatrixStartError, got ${String(error)}`);
    return error;
  }
  assert.fail('the start should have failed');
}

test('an unreachable homeserver is not fatal: firebell keeps trying, and connects when it comes up', async (t) => {
  // A free port with nothing behind it yet; later a proxy to the test homeserver listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const url = `http://127.0.0.1:${port}`;
  const logger = new MemoryLogger();
  const bot = await startBot(hs, botUser, {
    config: { homeserver: url },
    logger,
    tuning: { retryBaseMs: 20, retryMaxMs: 50 },
  });
  t.after(() => bot.stop());
  assert.equal(bot.network.connectionState(), 'disconnected');
  assert.ok(
    bot.states.some(
      (entry) =>
        entry.state === 'disconnected' &&
        entry.detail ===
          `networks.matrix "matrix": cannot reach the homeserver at ${url} (ECONNREFUSED); check the URL and that the server is up`,
    ),
  );
  assert.ok(
    logger.entries.some((entry) => entry.message === 'the homeserver cannot be reached; trying again'),
  );

  const target = new URL(hs.url);
  const proxy = createNetServer((socket) => {
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => proxy.close(resolve)));
  const deadline = Date.now() + 5000;
  while (bot.network.connectionState() !== 'connected' && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(bot.network.connectionState(), 'connected');
});

test('a URL that answers but is not a homeserver', async () => {
  const notFound = await startFailure({ config: { homeserver: websiteUrl } });
  assert.equal(notFound.problem, 'not-a-homeserver');
  assert.match(
    notFound.message,
    /does not look like a Matrix homeserver: GET \/_matrix\/client\/versions answered HTTP 404/,
  );
  const html = await startFailure({ config: { homeserver: `${websiteUrl}/ok` } });
  assert.equal(html.problem, 'not-a-homeserver');
  assert.match(html.message, /answered without a list of versions/);
});

test('a rejected access token: M_UNKNOWN_TOKEN, and the token appears nowhere', async () => {
  const secret = 'syt_ZmlyZWJlbGw_notARealTokenAtAll_0000';
  const logger = new MemoryLogger();
  const error = await startFailure({ config: { accessToken: secret }, logger });
  assert.equal(error.problem, 'bad-token');
  assert.equal(
    error.message,
    `networks.matrix "matrix": the homeserver ${hs.url} rejected the access token (M_UNKNOWN_TOKEN); ` +
      'create a new token for the bot account, or configure its password instead',
  );
  assert.ok(!logger.text().includes(secret));
});

test("another user's token is refused with both ids named", async () => {
  const error = await startFailure({ config: { accessToken: alice.token } });
  assert.equal(error.problem, 'wrong-user');
  assert.match(error.message, /belongs to @alice:test.local, but userId is @firebell:test.local/);
});

test('a wrong password is a login failure', async () => {
  const error = await startFailure({ config: { accessToken: undefined, password: 'wrong' } as never });
  assert.equal(error.problem, 'login-failed');
  assert.match(error.message, /refused the password for @firebell:test.local \(M_FORBIDDEN/);
});

test('a password is exchanged for a token once; the stored token is reused, and replaced when revoked', async () => {
  const kv = new MemoryKeyValueStore();
  const logger = new MemoryLogger();
  const password = { accessToken: undefined, password: 'correct horse battery staple' } as never;
  const logins = (): number => hs.requestsTo('login').length;
  const before = logins();

  const first = await startBot(hs, botUser, { config: password, kv, logger });
  await first.stop();
  assert.equal(logins(), before + 1);
  const stored = kv.get('matrix:matrix', 'accessToken');
  assert.ok(stored);

  const deviceOf = (token: string): string | undefined => hs.model.session(token)?.deviceId;
  const device = deviceOf(stored);
  assert.ok(device);
  const second = await startBot(hs, botUser, { config: password, kv, logger });
  await second.stop();
  assert.equal(logins(), before + 1, 'the stored token was reused');

  hs.model.closeSession(stored);
  const deviceOfStored = device;
  const third = await startBot(hs, botUser, { config: password, kv, logger });
  await third.stop();
  assert.equal(logins(), before + 2, 'a revoked token leads to one new login');
  const renewed = kv.get('matrix:matrix', 'accessToken') as string;
  assert.notEqual(renewed, stored);
  assert.ok(logger.find('warn', /stored access token was rejected/));
  assert.equal(hs.model.session(renewed)?.deviceId, deviceOfStored, 'the new login is on the same device');

  const logged = logger.text();
  assert.ok(!logged.includes('correct horse battery staple'), 'the password is never logged');
  assert.ok(!logged.includes(stored), 'the token is never logged');
});

test('a configured token the homeserver rejects, with a password configured too: firebell logs in with it', async () => {
  const logger = new MemoryLogger();
  const revoked = hs.model.openSession(botUser.userId).token;
  hs.model.closeSession(revoked);
  const bot = await startBot(hs, botUser, {
    config: { accessToken: revoked, password: 'correct horse battery staple' },
    logger,
  });
  await bot.stop();
  assert.ok(logger.find('warn', /configured access token was rejected/));
  assert.ok(hs.model.session(bot.kv.get('matrix:matrix', 'accessToken') as string));
});
