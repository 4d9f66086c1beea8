/**
 * irc-framework's internals that firebell relies on (irc-framework-adapter.ts), checked against the pinned
 * version: if an upgrade changes their shape, this fails and names what changed, instead of the bot
 * hanging in CAP negotiation or settling deliveries that were never written.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import IRC from 'irc-framework';
import {
  connectOptions,
  FrameworkConnection,
  PINNED_FRAMEWORK_VERSION,
  frameworkShapeProblems,
  type FrameworkHooks,
} from '../../../src/networks/irc/irc-framework-adapter.js';
import { ScriptedIrcServer } from './scripted-server.js';
import { ircConfig, until } from './helpers.js';

const servers: ScriptedIrcServer[] = [];
const connections: FrameworkConnection[] = [];
after(async () => {
  for (const connection of connections) connection.destroy();
  for (const server of servers) await server.close();
});

test('the installed irc-framework is the version the adapter was checked against, pinned exactly', () => {
  const require = createRequire(import.meta.url);
  const installed = (require('irc-framework/package.json') as { version: string }).version;
  assert.equal(
    installed,
    PINNED_FRAMEWORK_VERSION,
    `irc-framework ${installed} is installed; re-check every internal listed in irc-framework-adapter.ts, then update PINNED_FRAMEWORK_VERSION`,
  );
  const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  assert.equal(manifest.dependencies['irc-framework'], PINNED_FRAMEWORK_VERSION, 'pinned without a range');
});

test('a fresh client has the internals the adapter uses', () => {
  assert.deepEqual(frameworkShapeProblems(new IRC.Client()), []);
});

function hooks(lines: string[] = []): FrameworkHooks & { connected: boolean } {
  const state = {
    connected: false,
    socketConnected: () => {
      state.connected = true;
    },
    socketClosed: () => undefined,
    line: (message: { command: string }) => lines.push(message.command),
    raw: () => undefined,
    saslFailed: () => undefined,
  };
  return state;
}

const options = (port: number, sasl: boolean) =>
  connectOptions(
    ircConfig({
      port,
      nick: 'fbshape',
      ...(sasl ? { sasl: { account: 'fbshape', password: 'secret' } } : {}),
    }),
    'fbshape',
    'shape test',
  );

test('once connected: the socket is reachable, writes report when written, every line is seen', async () => {
  const server = await ScriptedIrcServer.listen((message, _raw, client) => {
    if (message.command === 'CAP' && message.params[0] === 'LS') client.send(':s CAP * LS :echo-message');
    if (message.command === 'CAP' && message.params[0] === 'REQ') client.send(':s CAP * ACK :echo-message');
    if (message.command === 'CAP' && message.params[0] === 'END')
      client.send(':s 001 fbshape :Welcome fbshape!firebell@host');
  });
  servers.push(server);
  const seen: string[] = [];
  const state = hooks(seen);
  const connection = new FrameworkConnection({ hideCaps: [], extraCaps: ['draft/chathistory'] }, state);
  connections.push(connection);
  connection.connect(options(server.port, false));
  await until(() => state.connected && seen.includes('001'), 'registration');
  assert.deepEqual(connection.shapeProblems(), []);
  assert.equal(connection.capEnabled('echo-message'), true);
  const written = await new Promise<Error | undefined>((resolve) => {
    assert.equal(
      connection.write('PRIVMSG #x :hello', (error) => resolve(error)),
      true,
    );
  });
  assert.equal(written, undefined);
  await server.received((line) => line === 'PRIVMSG #x :hello');
});

test('SASL: CAP END waits for 903 even though 900 comes first (kiwiirc/irc-framework#390)', async () => {
  const events: string[] = [];
  const server = await ScriptedIrcServer.listen((message, raw, client) => {
    events.push(`in ${raw}`);
    if (message.command === 'CAP' && message.params[0] === 'LS') client.send(':s CAP * LS :sasl');
    if (message.command === 'CAP' && message.params[0] === 'REQ') client.send(':s CAP * ACK :sasl');
    if (message.command === 'AUTHENTICATE' && message.params[0] === 'PLAIN') client.send('AUTHENTICATE +');
    if (message.command === 'AUTHENTICATE' && message.params[0] !== 'PLAIN') {
      client.send(':s 900 fbshape fbshape!f@h fbshape :You are now logged in as fbshape');
      events.push('out 900');
      setTimeout(() => {
        events.push('out 903');
        client.send(':s 903 fbshape :SASL authentication successful');
      }, 100);
    }
    if (message.command === 'CAP' && message.params[0] === 'END')
      client.send(':s 001 fbshape :Welcome fbshape!firebell@host');
  });
  servers.push(server);
  const seen: string[] = [];
  const connection = new FrameworkConnection({ hideCaps: [], extraCaps: [] }, hooks(seen));
  connections.push(connection);
  connection.connect(options(server.port, true));
  await until(() => seen.includes('001'), 'registration after SASL');
  const order = events.filter((event) => ['out 900', 'out 903', 'in CAP END'].includes(event));
  assert.deepEqual(order, ['out 900', 'out 903', 'in CAP END']);
});

test('capabilities the config hides are not requested even when offered', async () => {
  const server = await ScriptedIrcServer.listen((message, _raw, client) => {
    if (message.command === 'CAP' && message.params[0] === 'LS')
      client.send(':s CAP * LS :account-tag echo-message');
    if (message.command === 'CAP' && message.params[0] === 'REQ')
      client.send(`:s CAP * ACK :${message.params[1] ?? ''}`);
    if (message.command === 'CAP' && message.params[0] === 'END') client.send(':s 001 fbshape :Welcome');
  });
  servers.push(server);
  const seen: string[] = [];
  const connection = new FrameworkConnection({ hideCaps: ['account-tag'], extraCaps: [] }, hooks(seen));
  connections.push(connection);
  connection.connect(options(server.port, false));
  await until(() => seen.includes('001'), 'registration');
  const request = await server.received((line) => line.startsWith('CAP REQ'));
  assert.equal(request, 'CAP REQ :echo-message');
  assert.equal(connection.capOffered('account-tag'), false);
});
