/** Who you are in the shell is obvious and case-insensitive (issue 13, item 6). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../../src/core/logger.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import { ShellNetwork } from '../../../src/networks/shell/shell-network.js';
import { shellIdentities } from '../../../src/networks/shell/shell-identity.js';
import { decideShell, endOfInputNotice } from '../../../src/networks/shell/shell-start.js';
import { contacts, testConfig } from '../../support/config-fixture.js';

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

async function shell(interactive: boolean) {
  const clock = new SimulatedClock();
  clock.set(Date.UTC(2026, 10, 25, 9, 30, 5));
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const network = new ShellNetwork({
    input,
    output,
    user: 'you',
    channels: ['#opendev'],
    botName: 'firebell',
    clock,
    logger: silentLogger,
    interactive,
    identify,
    farewell: () => endOfInputNotice([3, 7], '/srv/firebell/data/firebell.sqlite'),
  });
  const received: InboundMessage[] = [];
  await network.start({ message: async (message) => void received.push(message) });
  const type = async (line: string): Promise<void> => {
    input.write(`${line}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { network, input, received, type, printed: () => printed };
}

test('the banner, /as, /whoami and the prompt say who you are; /as Mara works like /as mara', async () => {
  const s = await shell(true);
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
  const s = await shell(false);
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
