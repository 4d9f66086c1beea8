/**
 * The IRC recording tap against a real ngIRCd: a client connected through it registers and talks as usual,
 * every line it wrote is recorded with its time (a bare CR inside a line stays visible), the server's crash
 * closes the client's connection, and a reconnection after the restart is recorded as a new connection.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Ngircd } from '../servers/ngircd.js';
import { IrcTestClient } from '../servers/irc-test-client.js';
import { IrcTap } from '../../soak/irc-tap.js';

let server: Ngircd;
let tap: IrcTap;

before(async () => {
  server = await Ngircd.start();
  tap = await IrcTap.start(server.port);
});

after(async () => {
  await tap?.stop();
  await server?.stop();
});

test('the tap forwards both ways and records what the client wrote, with times', async () => {
  const started = Date.now();
  const alice = await IrcTestClient.connect({ port: tap.port, nick: 'alice' });
  const bob = await IrcTestClient.connect({ port: server.port, nick: 'bob' });
  await alice.join('#infra');
  await bob.join('#infra');
  const from = bob.lines.length;
  alice.say('#infra', 'hello through the tap');
  alice.send('PRIVMSG #infra :half\rline');
  await bob.waitFor((line) => line.raw.includes('hello through the tap'), { from, what: 'relayed hello' });
  const said = tap.lines.find((line) => line.raw === 'PRIVMSG #infra :hello through the tap');
  assert.ok(said, JSON.stringify(tap.lines));
  assert.ok(said.at >= started && said.at <= Date.now());
  assert.ok(tap.lines.some((line) => line.raw === 'PRIVMSG #infra :half\rline'));
  assert.ok(tap.lines.some((line) => line.raw.startsWith('NICK alice')));
  await bob.quit();

  await server.crash();
  const deadline = Date.now() + 10_000;
  while (!alice.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(alice.closed, true, 'the crash closes the proxied connection');

  await server.restart();
  const again = await IrcTestClient.connect({ port: tap.port, nick: 'alice' });
  await again.join('#infra');
  assert.ok(tap.lines.some((line) => line.connection === 2 && line.raw === 'JOIN #infra'));
  await again.quit();
});
