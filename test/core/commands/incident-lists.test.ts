/** With 80 incidents open, one !status must not flood the channel (issue 13, item 13). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { testConfig } from '../../support/config-fixture.js';
import { ircUser } from '../../support/fake-network.js';

afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');
const ana = ircUser('ana', 'ana');
const served = testConfig({
  bot: {
    name: 'firebell',
    admin: 'infra-root@example.org',
    playbookUrl: 'https://example.org/playbook',
    publicUrl: 'https://firebell.example.org',
    httpListen: '127.0.0.1:0',
  },
});

async function eightyOpen() {
  const w = await coreWorld({ config: served });
  for (let i = 1; i <= 80; i += 1) w.irc.type('#infra', alice, `!incident host${i} unreachable`);
  await w.settle();
  w.irc.type('#infra', ana, '!ack 80');
  w.irc.type('#infra', ana, '!ack 3');
  await w.at(1);
  w.clear();
  return w;
}

test('!status with 80 incidents open: counts, the newest three and a link in the channel, the full list privately', async () => {
  const w = await eightyOpen();
  w.irc.type('#infra', alice, '!status');
  await w.settle();
  const inChannel = w.irc.sent.filter((message) => !('person' in message.to));
  assert.equal(inChannel.length, 1, 'one message in the channel');
  const line = w.irc.lines()[0] ?? '';
  assert.match(
    line,
    /^#infra: alice: 80 incidents are open here \(78 not acknowledged, 2 acknowledged\); the newest: #80 \(host80 unreachable\), #79 \(host79 unreachable\), #78 \(host78 unreachable\)\. The full list is in a private message to you and at https:\/\/firebell\.example\.org\/m\/\S+; !status <id> for one\.$/,
  );
  assert.ok(line.length < 400, `short enough for one IRC line (${line.length} characters)`);

  const privately = w.irc.sent.filter((message) => 'person' in message.to);
  assert.equal(privately.length, 1);
  assert.equal(privately[0]?.priority, 'bulk');
  const listed = w.irc.lines()[1]?.split('\n') ?? [];
  assert.equal(listed.length, 81, 'a header and every incident');
  assert.match(listed[1] ?? '', /^#80 acknowledged by Ana, 1 min old: host80 unreachable$/);
  assert.match(listed[80] ?? '', /^#1 announced, not acknowledged, 1 min old: host1 unreachable$/);

  const page = [...w.pages.saved.values()][0];
  assert.equal(page?.text.split('\n').length, 80, 'the linked page lists all 80');
});

test('!incidents and a bare !ack summarise too; a private message gets the whole list', async () => {
  const w = await eightyOpen();
  w.irc.type('#infra', alice, '!incidents');
  w.irc.type('#infra', ana, '!ack');
  await w.settle();
  const lines = w.irc.lines().filter((line) => line.startsWith('#infra'));
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^#infra: alice: 80 incidents are open here/);
  assert.match(
    lines[1] ?? '',
    /^#infra: ana: 80 incidents are open here \(78 not acknowledged, 2 acknowledged\); the newest: #80 .*\. Say which, e\.g\. !ack 1; !incidents lists them all\.$/,
  );
  w.clear();
  w.irc.type('alice', alice, '!incidents', { direct: true });
  await w.settle();
  assert.equal(w.irc.lines().length, 1);
  assert.equal(w.irc.lines()[0]?.split('\n').length, 81);
});

test('a handful of incidents is still listed in the channel', async () => {
  const w = await coreWorld();
  for (let i = 1; i <= 5; i += 1) w.irc.type('#infra', alice, `!incident host${i} unreachable`);
  await w.settle();
  w.clear();
  w.irc.type('#infra', alice, '!status');
  await w.settle();
  assert.deepEqual(w.irc.lines(), [
    '#infra: alice: Several incidents are open here: #1 (host1 unreachable), #2 (host2 unreachable), #3 (host3 unreachable), #4 (host4 unreachable), #5 (host5 unreachable). Say which, e.g. !status 1',
  ]);
});
