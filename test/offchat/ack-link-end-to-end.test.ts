/**
 * The whole way of a one-tap acknowledgement: a page reaches Ana's phone through the spec-faithful ntfy
 * test server with an "Acknowledge" action button; what the ntfy app does when she taps it (an `http`
 * POST of the action's URL, empty body) reaches firebell's real listener and acknowledges the incident,
 * announced in chat "from a push notification". Pages and reminders carry a link of their own; follow-ups none.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Contact } from '../../src/config/config.js';
import { systemClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { ackRoutes } from '../../src/http/ack-routes.js';
import { startHttpServer } from '../../src/http/server.js';
import { linksFrom } from '../../src/offchat/channels.js';
import { NtfyChannel } from '../../src/offchat/ntfy/ntfy-channel.js';
import { contacts, testConfig } from '../support/config-fixture.js';
import { coreWorld, stopWorlds, T0 } from '../support/core-world.js';
import type { Delivery } from '../../src/core/delivery.js';
import { verifyAckToken } from '../../src/core/offchat/ack-token.js';
import { ircUser } from '../support/fake-network.js';
import { linkAcksOf } from '../support/link-acks.js';
import { NtfyServer } from '../ntfy-server/ntfy-server.js';
import { freePort } from '../servers/server-process.js';

const SECRET = 'q3J9vX0m2kLr8TnW5yPz1aBc4dEf6gHi';
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await stopWorlds();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test("tapping Acknowledge on the push: ntfy's http action POSTs the link and the incident is acknowledged", async () => {
  const ntfy = new NtfyServer();
  const ntfyUrl = await ntfy.start();
  cleanups.push(() => ntfy.stop());
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}/`;
  const ana: Contact = {
    ...contacts[0]!,
    ntfy: { server: ntfyUrl, topic: 'ana-pages' },
  };
  const channel = new NtfyChannel({
    addressOf: (id) => (id === 'ana' ? { server: ntfyUrl, topic: 'ana-pages' } : undefined),
    linksFor: linksFrom(publicUrl, { secret: SECRET, expiresAfterHours: 24 }),
    clock: systemClock,
    logger: silentLogger,
    retry: { firstMs: 50, maxMs: 200 },
  });
  const w = await coreWorld({
    config: testConfig({ contacts: [ana, ...contacts.slice(1)] }),
    offChat: [channel],
  });
  const server = await startHttpServer({
    listen: `127.0.0.1:${port}`,
    logger: silentLogger,
    plugins: [
      ackRoutes({
        secret: SECRET,
        acks: linkAcksOf(w),
        now: () => w.clock.now(),
        logger: silentLogger,
        title: 'firebell',
      }),
    ],
  });
  cleanups.push(() => server.close());

  w.irc.type('#infra', ircUser('alice', 'alice'), '!incident database down');
  await w.at(5);
  await eventually(() => ntfy.notifications('ana-pages').length === 1, 'the push');
  const [push] = ntfy.notifications('ana-pages');
  const button = push?.actions.find((action) => action.action === 'http');
  assert.equal(button?.label, 'Acknowledge');
  assert.equal(button?.method, 'POST');
  assert.equal(button?.clear, true);
  assert.match(button?.url ?? '', new RegExp(`^${publicUrl}ack/1/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
  assert.equal(push?.click, `${publicUrl}incidents/1`);

  w.clear();
  const tapped = await fetch(button?.url ?? '', { method: 'POST' });
  assert.equal(tapped.status, 200, await tapped.text());
  await w.settle();
  assert.equal(w.firebell.service.get(1)?.phase, 'assigned');
  assert.ok(
    w.irc.lines().some((line) => /Incident #1 acknowledged by Ana from a push notification/.test(line)),
    w.irc.lines().join('\n'),
  );
  const again = await fetch(button?.url ?? '', { method: 'POST' });
  assert.equal(again.status, 409, 'a second tap is refused');
});

test('pages and reminders carry their own ack link, signed for their delivery; follow-ups carry none', () => {
  const linksFor = linksFrom('https://firebell.example.org/on-call', {
    secret: SECRET,
    expiresAfterHours: 2,
  });
  const page = { contactId: 'ana', incidentId: 7, title: '#7 x (infra)', summary: 'x' };
  const delivery = (id: string, channel: string) => ({ id, channel, createdAt: T0 }) as Delivery;
  const links = linksFor({ ...page, kind: 'page' }, delivery('d-1', 'ntfy'));
  assert.equal(links.incidentUrl, 'https://firebell.example.org/on-call/incidents/7');
  const [, token] = /\/on-call\/ack\/7\/(.+)$/.exec(links.ackUrl ?? '') ?? [];
  assert.deepEqual(verifyAckToken(token ?? '', SECRET, { incidentId: 7, now: T0 }), {
    ok: true,
    claims: { incidentId: 7, contactId: 'ana', expiresAt: T0 + 2 * 3_600_000, linkId: 'd-1', way: 'ntfy' },
  });
  const reminder = linksFor({ ...page, kind: 'reminder' }, delivery('d-2', 'email'));
  const [, mailToken] = /\/ack\/7\/(.+)$/.exec(reminder.ackUrl ?? '') ?? [];
  const read = verifyAckToken(mailToken ?? '', SECRET, { incidentId: 7, now: T0 });
  assert.deepEqual(read.ok && [read.claims.linkId, read.claims.way], ['d-2', 'email']);
  assert.equal(linksFor({ ...page, kind: 'follow-up' }, delivery('d-3', 'ntfy')).ackUrl, undefined);
  assert.equal(
    linksFrom('https://x.example.org')({ ...page, kind: 'page' }, delivery('d', 'ntfy')).ackUrl,
    undefined,
  );
});
