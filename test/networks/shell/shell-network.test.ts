import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../../src/core/logger.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import { bold, link, mention, rich } from '../../../src/core/rich-text.js';
import { ShellNetwork } from '../../../src/networks/shell/shell-network.js';

async function shell() {
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
  });
  const received: InboundMessage[] = [];
  await network.start({ message: (message) => void received.push(message) });
  const type = async (line: string): Promise<void> => {
    input.write(`${line}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { network, input, received, type, lines: () => printed.trim().split('\n'), ended: () => ended };
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
