import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { Firebell } from '../../src/core/firebell.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Delivery, DeliveryOutcome } from '../../src/core/delivery.js';
import type { TopicResult } from '../../src/core/network.js';
import type { Config } from '../../src/config/config.js';
import { FakeNetwork, ircUser, matrixUser } from '../support/fake-network.js';
import { openDurable, TestStore } from '../support/test-store.js';
import { testConfig, testPolicy } from '../support/config-fixture.js';
import { settle as settleFirebell } from '../support/settle.js';

const T0 = Date.UTC(2026, 10, 25, 15, 0);
const ana = ircUser('ana', 'ana');
const anaOnMatrix = matrixUser('@ana:example.org', 'Ana');
const alice = ircUser('alice', 'alice');

class TopicNetwork extends FakeNetwork {
  refuse = new Set<string>();
  /** Channels whose server never answers a topic change (the adapter times out, counted from the write). */
  silent = new Set<string>();
  override async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    if (content.kind === 'topic' && this.silent.has(content.conversation))
      return {
        status: 'timed-out',
        at: delivery.createdAt,
        reason: `no answer from irc.test:6697 to the topic change in ${content.conversation} within 10 s of sending it`,
      };
    return super.deliver(delivery);
  }
  override async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    if (this.refuse.has(conversation))
      return { ok: false, reason: 'firebell is not a channel operator there' };
    return super.setTopic(conversation, topic);
  }
}

const running: Firebell[] = [];
afterEach(async () => {
  for (const firebell of running.splice(0)) await firebell.stop();
});

async function world(options: { store?: TestStore; config?: Config } = {}) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const irc = new TopicNetwork('libera', 'irc', () => clock.now());
  const matrix = new TopicNetwork('matrix', 'matrix', () => clock.now());
  const shell = new TopicNetwork('shell', 'shell', () => clock.now());
  irc.topics.set('#infra', 'Infra team | meeting Tuesdays 19:00 UTC');
  matrix.topics.set('#infra:example.org', 'Infra (bridged)');
  const durable = await openDurable(options.store ?? new TestStore(), clock);
  const status = durable.status;
  const published: Array<string | null> = [];
  const firebell = new Firebell({
    config: options.config ?? testConfig(),
    durable,
    networks: [irc, matrix, shell],
    clock,
    logger: silentLogger,
    status: { alert: { publish: async (alert) => void published.push(alert) } },
  });
  running.push(firebell);
  await firebell.start();
  published.length = 0;
  const settle = (): Promise<void> => settleFirebell(firebell);
  return { clock, irc, matrix, shell, status, published, firebell, settle };
}

describe('#status', () => {
  test('alert: notices everywhere, topics set, old topics kept in the store, alert.json published', async () => {
    const w = await world();
    w.irc.type('#infra', ana, '#status alert Pypi mirror problems causing gate failures. Please stand-by...');
    await w.settle();
    const notice = 'NOTICE: Pypi mirror problems causing gate failures. Please stand-by...';
    for (const [network, where] of [
      [w.irc, '#infra'],
      [w.matrix, '#infra:example.org'],
      [w.shell, '#infra'],
    ] as const) {
      const sent = network.sent.filter((message) => message.purpose === 'status');
      assert.deepEqual(
        sent.map((message) => [message.priority, message.style]),
        [['bulk', 'notice']],
      );
      assert.ok(network.lines().includes(`${where}: ${notice}`));
      assert.equal(
        network.topics.get(where),
        'Pypi mirror problems causing gate failures. Please stand-by...',
      );
    }
    assert.equal(w.status.savedTopic('libera', '#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
    assert.equal(w.status.savedTopic('matrix', '#infra:example.org'), 'Infra (bridged)');
    assert.deepEqual(w.published, ['Pypi mirror problems causing gate failures. Please stand-by...']);
    assert.equal(w.status.currentAlert()?.by.name, 'Ana');
    assert.deepEqual(
      w.irc.lines().filter((line) => line.startsWith('#infra: ana:')),
      [
        '#infra: ana: Sending alert to 3 channels and rooms; changing their topics.',
        '#infra: ana: Finished sending alert: topics changed in 3.',
      ],
    );
  });

  test('a second alert keeps the topic from before the first; ok restores it and clears the alert', async () => {
    const w = await world();
    w.irc.type('#infra', ana, '#status alert first problem');
    await w.settle();
    w.matrix.type('#infra:example.org', anaOnMatrix, '#status alert second problem');
    await w.settle();
    assert.equal(w.status.savedTopic('libera', '#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
    w.irc.type('#infra', ana, '#status ok gate is back');
    await w.settle();
    assert.equal(w.irc.topics.get('#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
    assert.equal(w.matrix.topics.get('#infra:example.org'), 'Infra (bridged)');
    assert.equal(w.status.currentAlert(), undefined);
    assert.deepEqual(w.published, ['first problem', 'second problem', null]);
    assert.ok(w.matrix.lines().includes('#infra:example.org: NOTICE: gate is back'));
    assert.equal(w.status.savedTopic('libera', '#infra'), undefined);
  });

  test('topics are restored from the store after a restart', async () => {
    const store = new TestStore();
    const first = await world({ store });
    first.irc.type('#infra', ana, '#status alert gate down');
    await first.settle();
    await first.firebell.stop();

    const second = await world({ store });
    second.irc.topics.set('#infra', 'gate down'); // the server still shows the alert
    second.irc.type('#infra', ana, '#status ok');
    await second.settle();
    assert.equal(second.irc.topics.get('#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
  });

  test('notice and log', async () => {
    const w = await world();
    w.irc.type('#infra', ana, '#status notice gate recovering');
    w.irc.type('#infra', ana, '#status log restarted the mirror job');
    await w.settle();
    assert.equal(w.irc.sent.filter((message) => message.purpose === 'status').length, 1, 'log sends nothing');
    assert.equal(
      w.irc.topics.get('#infra'),
      'Infra team | meeting Tuesdays 19:00 UTC',
      'notice leaves topics alone',
    );
    assert.deepEqual(
      (await w.status.history(5)).map((entry) => [entry.kind, entry.text]),
      [
        ['log', 'restarted the mirror job'],
        ['notice', 'gate recovering'],
      ],
    );
    assert.deepEqual(w.published, []);
  });

  test('refusals: not on the whitelist (naming the file), and a whitelisted nick without the account', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '#status alert x');
    w.irc.type('#infra', ircUser('ana'), '#status alert y');
    w.matrix.type('#infra:example.org', matrixUser('@mallory:evil.example', 'Ana'), '#status alert z');
    await w.settle();
    assert.deepEqual(w.irc.lines().slice(0, 3), [
      '#infra: alice: only the people listed in whitelist.yaml may post status updates, and alice is not on it (changes to that file go through code review)',
      '#infra: ana: to post status updates firebell needs to know who you are, and your IRC services account is unknown: identify to NickServ (/msg NickServ IDENTIFY <password>, or SASL) and try again',
      '#infra: Ana: only the people listed in whitelist.yaml may post status updates, and @mallory:evil.example is not on it (changes to that file go through code review)',
    ]);
    assert.equal(w.irc.topics.get('#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
    assert.equal((await w.status.history(10)).length, 0);
  });

  test('a bare #status <msg>, as the founding mail wrote it, gets the usage and a suggestion', async () => {
    const w = await world();
    w.irc.type('#infra', ana, '#status Pypi mirror problems causing gate failures. Please stand-by...');
    await w.settle();
    assert.deepEqual(w.irc.lines(), [
      '#infra: ana: "Pypi" is not alert, notice, log or ok (did you mean "#status alert Pypi mirror problems causing gate failures. Please stand-by..."?). Usage: #status alert|notice|log|ok <message>',
    ]);
  });

  test('per-channel opt-out of topic changes, and a channel where the bot lacks the rights', async () => {
    const config = testConfig();
    const group = config.groups[0]!;
    const w = await world({
      config: {
        ...config,
        groups: [
          {
            ...group,
            members: group.members.map((m) => (m.network === 'matrix' ? { ...m, topic: false } : m)),
          },
        ],
      },
    });
    w.irc.refuse.add('#infra');
    w.irc.type('#infra', ana, '#status alert gate down');
    await w.settle();
    assert.equal(w.matrix.topics.get('#infra:example.org'), 'Infra (bridged)', 'opted out');
    assert.ok(w.matrix.lines().includes('#infra:example.org: NOTICE: gate down'), 'still gets the notice');
    assert.ok(
      w.irc
        .lines()
        .includes(
          '#infra: ana: Finished sending alert: topics changed in 1, not in 1 (#infra: firebell is not a channel operator there).',
        ),
    );
  });

  test('the closing report says what the servers confirmed, what they refused and why, and what went unanswered', async () => {
    const config = testConfig();
    const group = config.groups[0]!;
    const extra = ['#locked', '#slow'].map((conversation) => ({
      network: 'libera',
      conversation,
      topic: true,
      status: true,
    }));
    const w = await world({
      config: { ...config, groups: [{ ...group, members: [...group.members, ...extra] }] },
    });
    w.irc.refuse.add('#locked');
    w.irc.silent.add('#slow');
    w.irc.type('#infra', ana, '#status alert gate down');
    await w.settle();
    assert.ok(
      w.irc
        .lines()
        .includes(
          '#infra: ana: Finished sending alert: topics changed in 3, not in 1 (#locked: firebell is not a channel operator there); unconfirmed in 1 (#slow: no answer from irc.test:6697 to the topic change in #slow within 10 s of sending it).',
        ),
      w.irc.lines().join('\n'),
    );
  });

  test('works in a private message', async () => {
    const w = await world();
    w.matrix.type('!dm:example.org', anaOnMatrix, '#status notice maintenance at 20:00 UTC', {
      direct: true,
    });
    await w.settle();
    assert.ok(w.irc.lines().includes('#infra: NOTICE: maintenance at 20:00 UTC'));
    assert.ok(w.matrix.lines().includes('!dm:example.org: Sending notice to 3 channels and rooms.'));
  });

  test('#success is open to anyone and recorded', async () => {
    const w = await world();
    w.irc.type('#infra', alice, '#success the new mirror held up on release day');
    await w.settle();
    assert.equal((await w.status.history(1))[0]?.text, 'the new mirror held up on release day');
    assert.ok(w.irc.lines().includes('#infra: alice: Added your success to the status history. Thank you!'));
  });
});

describe('#status and incidents', () => {
  test('a status posted stops the reminder; resolving with the alert still up asks for #status ok', async () => {
    const config = testConfig({
      policies: { default: { ...testPolicy, statusReminder: { afterMinutes: 10, repeatMinutes: null } } },
    });
    const w = await world({ config });
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    w.irc.type('#infra', ana, '#status alert gate is failing, stand by');
    await w.settle();
    for (let minute = 1; minute <= 20; minute += 1) {
      w.clock.set(T0 + minute * 60_000);
      await w.settle();
    }
    assert.equal(w.irc.sent.filter((message) => message.purpose === 'status-prompt').length, 0);
    w.irc.type('#infra', ana, '!resolved mirror fixed');
    await w.settle();
    const prompt = w.irc
      .lines()
      .find((line) => line.includes('is resolved but the status alert is still up'));
    assert.equal(
      prompt,
      '#infra: Ana: incident #1 is resolved but the status alert is still up. Clear it with #status ok <what was fixed> · play book: https://example.org/playbook',
    );
  });

  test('without a status the reminder asks the whitelisted people, with a line to paste', async () => {
    const config = testConfig({
      policies: { default: { ...testPolicy, statusReminder: { afterMinutes: 10, repeatMinutes: null } } },
    });
    const w = await world({ config });
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    for (let minute = 1; minute <= 10; minute += 1) {
      w.clock.set(T0 + minute * 60_000);
      await w.settle();
    }
    const prompts = w.matrix.sent.filter((message) => message.purpose === 'status-prompt');
    assert.equal(prompts.length, 1);
    assert.ok(
      prompts[0]?.body.some(
        (segment) => segment.kind === 'mention' && segment.person.matrix?.userId === '@ana:example.org',
      ),
    );
    assert.ok(
      w.matrix
        .lines()
        .some((line) =>
          line.endsWith(
            'Please post one, for example: #status alert gate is failing · play book: https://example.org/playbook',
          ),
        ),
    );
  });

  test('external mode: firebell leaves #status to the other bot and takes its notices as the status', async () => {
    const config = testConfig({
      statusbot: { mode: 'external', externalBots: [{ network: 'libera', nick: 'opendevstatus' }] },
      policies: { default: { ...testPolicy, statusReminder: { afterMinutes: 10, repeatMinutes: null } } },
    });
    const w = await world({ config });
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    w.irc.type('#infra', ana, '#status alert gate down');
    w.irc.type('#infra', ircUser('opendevstatus', 'opendevstatus'), 'NOTICE: gate down', { style: 'notice' });
    await w.settle();
    assert.equal(
      w.irc.sent.filter((message) => message.purpose === 'status').length,
      0,
      'firebell does not post',
    );
    assert.equal(w.firebell.service.get(1)?.context.status.lastKind, 'notice');
    for (let minute = 1; minute <= 12; minute += 1) {
      w.clock.set(T0 + minute * 60_000);
      await w.settle();
    }
    assert.equal(w.irc.sent.filter((message) => message.purpose === 'status-prompt').length, 0);
  });

  test("external mode: the other bot's nick alone is no proof, and a private notice reached nobody", async () => {
    const config = testConfig({
      statusbot: { mode: 'external', externalBots: [{ network: 'libera', nick: 'opendevstatus' }] },
      policies: { default: { ...testPolicy, statusReminder: { afterMinutes: 10, repeatMinutes: null } } },
    });
    const w = await world({ config });
    w.irc.type('#infra', alice, '!incident gate is failing');
    await w.settle();
    // Someone holding the nick while the real bot is away: not identified, or identified as someone else.
    w.irc.type('#infra', ircUser('opendevstatus'), 'NOTICE: all fine, nothing to see', { style: 'notice' });
    w.irc.type('#infra', ircUser('opendevstatus', 'mallory'), 'NOTICE: all fine', { style: 'notice' });
    // The real bot's notice, but to firebell alone: it reached no status channel.
    w.irc.type('firebell', ircUser('opendevstatus', 'opendevstatus'), 'NOTICE: all fine', {
      style: 'notice',
      direct: true,
    });
    await w.settle();
    assert.equal(w.firebell.service.get(1)?.context.status.lastKind, null, 'no status was posted');
    for (let minute = 1; minute <= 12; minute += 1) {
      w.clock.set(T0 + minute * 60_000);
      await w.settle();
    }
    assert.equal(
      w.irc.sent.filter((message) => message.purpose === 'status-prompt').length,
      1,
      'the reminder still asks',
    );
  });
});

test('a channel without a topic gets none back after ok, rather than keeping the alert', async () => {
  const w = await world();
  w.irc.topics.delete('#infra');
  w.irc.type('#infra', ana, '#status alert gate down');
  await w.settle();
  assert.equal(w.irc.topics.get('#infra'), 'gate down');
  w.irc.type('#infra', ana, '#status ok');
  await w.settle();
  assert.equal(w.irc.topics.get('#infra'), '');
});

test('a refusal names the whitelist as people know it (and where to read it), not the path on the server', async () => {
  const config = testConfig();
  const w = await world({
    config: {
      ...config,
      files: { ...config.files, whitelist: '/srv/firebell/whitelist.yaml' },
      bot: { ...config.bot, whitelistUrl: 'https://git.example.org/infra/whitelist.yaml' },
    },
  });
  w.irc.type('#infra', alice, '#status alert x');
  await w.settle();
  assert.equal(
    w.irc.lines()[0],
    '#infra: alice: only the people listed in whitelist.yaml (https://git.example.org/infra/whitelist.yaml) may post status updates, and alice is not on it (changes to that file go through code review)',
  );
});

test('an alert posted right after an ok stays up: the ok finishing later does not clear it', async () => {
  const w = await world();
  w.irc.type('#infra', ana, '#status alert first problem');
  await w.settle();
  w.irc.type('#infra', ana, '#status ok first problem fixed');
  w.irc.type('#infra', ana, '#status alert second problem');
  await w.settle();
  assert.equal(w.status.currentAlert()?.text, 'second problem');
  assert.equal(w.irc.topics.get('#infra'), 'second problem');
  assert.deepEqual(w.published.at(-1), 'second problem');
  w.irc.type('#infra', ana, '#status ok all fixed');
  await w.settle();
  assert.equal(w.irc.topics.get('#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
});

test('an ok posted right after the first alert restores the topic the alert replaced', async () => {
  const w = await world();
  w.irc.type('#infra', ana, '#status alert gate down');
  w.irc.type('#infra', ana, '#status ok false alarm');
  await w.settle();
  assert.equal(w.irc.topics.get('#infra'), 'Infra team | meeting Tuesdays 19:00 UTC');
  assert.equal(w.matrix.topics.get('#infra:example.org'), 'Infra (bridged)');
  assert.equal(w.status.currentAlert(), undefined);
});
