/**
 * A page fans out to every way a contact has, at once: the chat networks (fake here; the real IRC and
 * Matrix servers are exercised by their own suites), ntfy (the spec-faithful test server) and e-mail (a
 * real aiosmtpd process). One way being down holds up none of the others; each delivery and its outcome is
 * kept with the incident. With a delay, chat goes first and the ways off chat only if nobody acknowledged.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Contact } from '../../src/config/config.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import type { OffChatPreferences } from '../../src/core/settings.js';
import { EmailChannel } from '../../src/offchat/email/email-channel.js';
import { linksFrom } from '../../src/offchat/channels.js';
import { NtfyChannel } from '../../src/offchat/ntfy/ntfy-channel.js';
import { contacts, testConfig } from '../support/config-fixture.js';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import { NtfyServer } from '../ntfy-server/ntfy-server.js';
import { SmtpServer } from '../smtp-server/smtp-server.js';
import { freePort } from '../servers/server-process.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await stopWorlds();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

interface Setup {
  readonly w: CoreWorld;
  readonly ntfy: NtfyServer;
  readonly smtp: SmtpServer;
}

async function setup(options: { ntfyDown?: boolean; offChat?: OffChatPreferences } = {}): Promise<Setup> {
  const ntfy = new NtfyServer();
  const ntfyUrl = options.ntfyDown ? `http://127.0.0.1:${await freePort()}` : await ntfy.start();
  cleanups.push(() => ntfy.stop());
  const smtp = new SmtpServer();
  await smtp.start();
  cleanups.push(() => smtp.stop());
  const ana: Contact = {
    ...contacts[0]!,
    email: 'ana@example.org',
    ntfy: { server: ntfyUrl, topic: 'ana-pages' },
    ...(options.offChat ? { offChat: options.offChat } : {}),
  };
  const config = testConfig({ contacts: [ana, ...contacts.slice(1)] });
  const linksFor = linksFrom('https://firebell.example.org');
  const retry = { firstMs: 50, maxMs: 200 };
  const offChat = [
    new NtfyChannel({
      addressOf: (id) => (id === 'ana' ? { server: ntfyUrl, topic: 'ana-pages' } : undefined),
      linksFor,
      clock: systemClock,
      logger: silentLogger,
      retry,
    }),
    new EmailChannel({
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'firebell <fb@ops.example.org>',
        timeoutSeconds: 5,
        allowPlaintext: true,
      },
      addressOf: (id) => (id === 'ana' ? 'ana@example.org' : undefined),
      linksFor,
      clock: systemClock,
      logger: silentLogger,
      retry,
    }),
  ];
  const w = await coreWorld({ config, offChat });
  return { w, ntfy, smtp };
}

const declare = async (w: CoreWorld): Promise<void> => {
  w.irc.type('#infra', ircUser('alice', 'alice'), '!incident database down');
  await w.settle();
};

test('a page reaches Ana on IRC, Matrix, ntfy and e-mail at once; each delivery is kept with its outcome', async () => {
  const { w, ntfy, smtp } = await setup();
  await declare(w);
  await w.at(5);
  assert.ok(
    w.irc.lines().some((line) => line.startsWith('@Ana: You are paged')),
    w.irc.lines().join('\n'),
  );
  assert.ok(w.matrix.lines().some((line) => line.includes('Ana') || line.includes('@ana:example.org')));
  await eventually(
    () => ntfy.notifications('ana-pages').length === 1 && smtp.messages().length === 1,
    'ntfy and mail',
  );
  const [push] = ntfy.notifications('ana-pages');
  assert.equal(push?.title, '#1 database down (infra)');
  assert.equal(push?.priority, 5);
  assert.equal(push?.click, 'https://firebell.example.org/incidents/1');
  await eventually(async () => {
    await w.settle();
    const rows = await w.store.deliveries(1);
    return ['ntfy', 'email'].every((way) =>
      rows.some((row) => row.channel === way && row.state === 'delivered'),
    );
  }, 'the ntfy and e-mail deliveries recorded as delivered');
});

test('ntfy down: chat and e-mail go anyway; the push stays pending (sent at the next start)', async () => {
  const { w, smtp } = await setup({ ntfyDown: true });
  await declare(w);
  await w.at(5);
  assert.ok(w.irc.lines().some((line) => line.startsWith('@Ana: You are paged')));
  await eventually(() => smtp.messages().length === 1, 'the mail');
  await eventually(async () => {
    await w.settle();
    const rows = await w.store.deliveries(1);
    return rows.some((row) => row.channel === 'email' && row.state === 'delivered');
  }, 'the e-mail recorded as delivered');
  const rows = await w.store.deliveries(1);
  assert.deepEqual(
    rows.filter((row) => row.channel === 'ntfy').map((row) => row.state),
    ['pending'],
  );
});

test('with a delay, an ack in chat before it runs out keeps the phone quiet; without one the push goes', async () => {
  const quiet = await setup({ offChat: { reminders: [], afterMinutes: 3 } });
  await declare(quiet.w);
  await quiet.w.at(5);
  quiet.w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await quiet.w.at(10);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(quiet.ntfy.notifications('ana-pages').length, 0);
  assert.equal(quiet.smtp.messages().length, 0);
  await stopWorlds();

  const loud = await setup({ offChat: { pages: ['ntfy'], reminders: [], afterMinutes: 3 } });
  await declare(loud.w);
  await loud.w.at(7);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(loud.ntfy.notifications('ana-pages').length, 0, 'not before the delay');
  await loud.w.at(8);
  await eventually(() => loud.ntfy.notifications('ana-pages').length === 1, 'the delayed push');
  assert.equal(loud.smtp.messages().length, 0, 'e-mail is not among her ways for pages');
});

test('ntfy down while the incident is acknowledged in chat: when it is back, the stale page does not wake her', async () => {
  const { w, ntfy } = await setup({ offChat: { pages: ['ntfy'], reminders: [], afterMinutes: 0 } });
  ntfy.failNext(503, 100_000);
  await declare(w);
  await w.at(5);
  await eventually(() => ntfy.requests.length >= 2, 'the push tried and retried');
  w.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await w.settle();
  ntfy.recover();
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal(ntfy.accepted.length, 0, 'no urgent push "nobody has acknowledged yet" after the ack');
  await eventually(async () => {
    await w.settle();
    const rows = await w.store.deliveries(1);
    return rows.some((row) => row.channel === 'ntfy' && row.state === 'refused');
  }, 'the push settled, so the next start does not send it either');
});
