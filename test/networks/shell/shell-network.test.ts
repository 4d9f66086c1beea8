import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../../src/core/logger.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import { bold, link, mention, rich } from '../../../src/core/rich-text.js';
import { ShellNetwork, type ShellNetworkOptions } from '../../../src/networks/shell/shell-network.js';
import { shellIdentities } from '../../../src/networks/shell/shell-identity.js';
import { decideShell, endOfInputNotice } from '../../../src/networks/shell/shell-start.js';
import { contacts, testConfig } from '../../support/config-fixture.js';

async function shell(options: Partial<ShellNetworkOptions> = {}) {
  const clock = new SimulatedClock();
  clock.set(Date.UTC(2026, 10, 25, 9, 30, 5));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  let ended = 0;
  const network = new ShellNetwork({
    input,
    output,
    user: 'you',
    channels: ['#opendev'],
    botName: 'firebell',
    clock,
    logger: silentLogger,
    interactive: false,
    onEnd: () => (ended += 1),
    ...options,
  });
  const received: InboundMessage[] = [];
  await network.start({ message: (message) => void received.push(message) });
  const type = async (line: string): Promise<void> => {
    input.write(`${line}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    network,
    input,
    received,
    type,
    lines: () => printed.trim().split('\n'),
    printed: () => printed,
    ended: () => ended,
  };
}

test('what you type is a channel message from a verified local user; /as switches who you are', async () => {
  const s = await shell();
  await s.type('!incident the gate is failing');
  await s.type('/as mara');
  await s.type('!ack');
  await s.type('/as mallory unverified');
  await s.type('#status alert nothing to see');
  assert.deepEqual(
    s.received.map((message) => [
      message.conversation.id,
      message.sender.account,
      message.sender.verification,
      message.text,
    ]),
    [
      ['#opendev', 'you', 'local', '!incident the gate is failing'],
      ['#opendev', 'mara', 'local', '!ack'],
      ['#opendev', undefined, 'none', '#status alert nothing to see'],
    ],
  );
  await s.network.stop();
});

test('/msg is a private message to the bot; /join changes channel; unknown shell commands are explained', async () => {
  const s = await shell();
  await s.type('/msg firebell !status');
  await s.type('/join meeting');
  await s.type('hello');
  await s.type('/frobnicate');
  assert.deepEqual(
    s.received.map((message) => [message.conversation.id, message.conversation.direct]),
    [
      ['you', true],
      ['#meeting', false],
    ],
  );
  assert.ok(s.lines().includes('09:30:05 unknown shell command /frobnicate; /help lists them'));
  await s.network.stop();
});

test('output shows where it goes, notices as -firebell-, mentions as @user, links as URLs, no terminal escapes', async () => {
  const s = await shell();
  s.network.send({
    to: { network: 'shell', conversation: '#opendev' },
    body: rich(
      mention({ name: 'Mara', shell: { user: 'mara' } }),
      ': paging ',
      bold('#1'),
      ' ',
      link('https://example.org/p', 'play book'),
      ' \x1b[31mred\x1b[0m',
    ),
    style: 'notice',
    priority: 'urgent',
  });
  s.network.send({
    to: { network: 'shell', person: { name: 'Mara', shell: { user: 'mara' } } },
    body: rich('you are paged'),
    style: 'notice',
    priority: 'urgent',
  });
  await s.network.setTopic('#opendev', 'gate down');
  assert.deepEqual(s.lines().slice(1), [
    '09:30:05 [#opendev] -firebell- @mara: paging #1 play book <https://example.org/p> [31mred[0m',
    '09:30:05 [private to mara] -firebell- you are paged',
    '09:30:05 [#opendev] * firebell set the topic: gate down',
  ]);
  assert.equal(await s.network.getTopic('#opendev'), 'gate down');
  await s.network.stop();
});

test('the end of input (Ctrl-D, a closed pipe) and /quit stop firebell', async () => {
  const s = await shell();
  await s.type('/quit');
  assert.equal(s.ended(), 1);
  s.input.end();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(s.ended(), 2);
  await s.network.stop();
});

// Who you are in the shell is obvious and case-insensitive; a pipe's end says what becomes of incidents.
const identify = shellIdentities(contacts, [{ name: 'Ana', contactId: 'ana' }]);

test('a contact is found by id, name or first name, whatever the case; others are said to be no contact', () => {
  for (const name of ['ana', 'Ana', 'ANA']) assert.equal(identify(name).user, 'ana');
  assert.deepEqual(identify('Ana'), {
    user: 'ana',
    label: 'ana · Ana',
    description: 'ana (Ana, tier 1, on the whitelist)',
  });
  assert.equal(identify('cy').description, 'cy (Cy, tier 2)');
  assert.deepEqual(identify('you'), {
    user: 'you',
    label: 'you · not a contact',
    description:
      'you (not a contact, so nobody pages you and #status needs the whitelist; /as ana to be Ana)',
  });
  assert.equal(
    identify('anna').description,
    'anna (not a contact, so nobody pages you and #status needs the whitelist; did you mean /as ana?)',
  );
});

test('the banner, /as, /whoami and the prompt say who you are; /as Mara works like /as mara', async () => {
  const s = await shell({ interactive: true, identify });
  assert.match(
    s.printed(),
    /firebell shell: you are you \(not a contact, so nobody pages you and #status needs the whitelist; \/as ana to be Ana\) in #opendev\./,
  );
  assert.match(s.printed(), /\[you · not a contact\] #opendev> /);
  await s.type('/as Ana');
  await s.type('!ack');
  assert.equal(s.received[0]?.sender.account, 'ana');
  assert.match(s.printed(), /you are now ana \(Ana, tier 1, on the whitelist\)/);
  assert.match(s.printed(), /\[ana · Ana\] #opendev> /);
  await s.type('/as Bo unverified');
  await s.type('/whoami');
  assert.match(s.printed(), /you are bo \(Bo, tier 1\) \(unverified\)/);
  assert.match(s.printed(), /\[bo · Bo, unverified\] #opendev> /);
  await s.network.stop();
});

test('the end of input says what becomes of the open incidents', async () => {
  const s = await shell({
    identify,
    farewell: () => endOfInputNotice([3, 7], '/srv/firebell/data/firebell.sqlite'),
  });
  s.input.end();
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(
    s.printed(),
    /End of input: firebell stops\. 2 incidents are still open \(#3, #7\): nobody is paged or reminded while firebell is stopped\. They are kept in \/srv\/firebell\/data\/firebell\.sqlite and resume, with their timers, when firebell starts again; a page that fell due meanwhile goes out then, once\./,
  );
  assert.equal(endOfInputNotice([], 'x'), 'End of input: firebell stops. No incident is open.');
  await s.network.stop();
});

test('without a terminal the shell runs only when asked; alone it refuses, beside IRC it steps aside', () => {
  const shellOnly = testConfig({
    networks: { shell: { id: 'shell', enabled: true, user: 'you' }, irc: [], matrix: [] },
  } as never);
  assert.deepEqual(decideShell(shellOnly, { terminal: true, forced: false }), { run: true });
  assert.deepEqual(decideShell(shellOnly, { terminal: false, forced: true }), { run: true });
  const refused = decideShell(shellOnly, { terminal: false, forced: false });
  assert.ok(
    'refusal' in refused && refused.refusal.includes('networks.shell.enabled: false in config/firebell.yaml'),
  );
  const withIrc = testConfig({
    networks: { shell: { id: 'shell', enabled: true, user: 'you' }, irc: [{ id: 'oftc' }], matrix: [] },
  } as never);
  const aside = decideShell(withIrc, { terminal: false, forced: false });
  assert.equal(aside.run, false);
  assert.ok('warning' in aside && aside.warning?.startsWith('the shell network is off'));
  const disabled = testConfig();
  assert.deepEqual(decideShell(disabled, { terminal: false, forced: false }), { run: false });
});
