/**
 * The e-mail channel against real SMTP server processes (Debian's python3-aiosmtpd): a page in plain text
 * and escaped HTML with a Message-ID from the delivery id, follow-ups threaded to the incident, a server
 * that refuses (5xx: refused, no retry), one that answers too late (retried, same Message-ID), one that is
 * not there (a stop abandons the page).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/core/delivery.js';
import type { OffChatPage } from '../../src/core/offchat/page.js';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { EmailChannel } from '../../src/offchat/email/email-channel.js';
import { SmtpServer, headerOf, partOf } from '../smtp-server/smtp-server.js';

const servers: SmtpServer[] = [];
const channels: EmailChannel[] = [];
after(async () => {
  for (const channel of channels) channel.stop();
  await Promise.all(servers.map((server) => server.stop()));
});

async function smtp(mode: ConstructorParameters<typeof SmtpServer>[0] = 'accept'): Promise<SmtpServer> {
  const server = new SmtpServer(mode);
  servers.push(server);
  await server.start();
  return server;
}

/** The test server offers no STARTTLS: like a relay on this machine, it is reached with allowPlaintext. */
function channel(port: number, timeoutSeconds = 30, allowPlaintext = true): EmailChannel {
  const made = new EmailChannel({
    smtp: {
      host: '127.0.0.1',
      port,
      secure: false,
      from: 'firebell <firebell@ops.example.org>',
      timeoutSeconds,
      allowPlaintext,
    },
    addressOf: (contact) => (contact === 'mara' ? 'mara@example.org' : undefined),
    linksFor: (page) => ({
      incidentUrl: `https://firebell.example.org/incidents/${page.incidentId}`,
      ackUrl: `https://firebell.example.org/ack/${page.incidentId}?a=1&b=2`,
    }),
    clock: systemClock,
    logger: silentLogger,
    retry: { firstMs: 50, maxMs: 200 },
  });
  channels.push(made);
  return made;
}

const PAGE: OffChatPage = {
  contactId: 'mara',
  incidentId: 12,
  kind: 'page',
  title: '#12 <script>alert(1)</script> down',
  summary: 'db & cache down\nDeclared by dario; nobody has acknowledged.',
};

const delivery = (id: string, page: OffChatPage = PAGE): Delivery => ({
  id,
  channel: 'email',
  lane: 'urgent',
  content: { kind: 'offchat', page },
  durable: true,
  attempts: 0,
  createdAt: 0,
});

test('a page arrives as plain text and escaped HTML, with a Message-ID from the delivery id', async () => {
  const server = await smtp();
  const outcome = await channel(server.port).deliver(delivery('8d1c7e52-page'));
  assert.equal(outcome.status, 'delivered');
  const [raw, ...others] = server.messages();
  assert.equal(others.length, 0);
  assert.ok(raw);
  assert.equal(headerOf(raw, 'X-Envelope-To'), 'mara@example.org');
  assert.equal(headerOf(raw, 'Message-ID'), '<8d1c7e52-page.firebell@ops.example.org>');
  assert.equal(headerOf(raw, 'References'), '<incident-12.firebell@ops.example.org>');
  assert.equal(headerOf(raw, 'In-Reply-To'), undefined);
  assert.equal(headerOf(raw, 'Subject'), '#12 <script>alert(1)</script> down');
  const text = partOf(raw, 'text/plain');
  assert.match(text ?? '', /^db & cache down\nDeclared by dario; nobody has acknowledged\./);
  assert.match(text ?? '', /Acknowledge: https:\/\/firebell\.example\.org\/ack\/12\?a=1&b=2/);
  assert.match(text ?? '', /\n-- \nYou are paged for this incident\.$/);
  const html = partOf(raw, 'text/html') ?? '';
  assert.match(html, /<h1>#12 &lt;script&gt;alert\(1\)&lt;\/script&gt; down<\/h1>/);
  assert.match(html, /<p>db &amp; cache down<\/p>/);
  assert.match(html, /<a href="https:\/\/firebell\.example\.org\/ack\/12\?a=1&amp;b=2">Acknowledge<\/a>/);
  assert.doesNotMatch(html, /<script>/);
});

test('a follow-up replies in the incident thread (In-Reply-To and References)', async () => {
  const server = await smtp();
  const send = channel(server.port);
  await send.deliver(delivery('first'));
  await send.deliver(delivery('second', { ...PAGE, kind: 'follow-up', title: '#12 acknowledged by anil' }));
  const [, followUp = ''] = server.messages();
  assert.equal(headerOf(followUp, 'In-Reply-To'), '<incident-12.firebell@ops.example.org>');
  assert.equal(headerOf(followUp, 'References'), '<incident-12.firebell@ops.example.org>');
  assert.doesNotMatch(partOf(followUp, 'text/plain') ?? '', /Acknowledge:/);
});

test('a server that refuses (550) settles the page refused, without retrying', async () => {
  const server = await smtp('refuse');
  const outcome = await channel(server.port).deliver(delivery('refused-page'));
  assert.equal(outcome.status, 'refused');
  assert.match(outcome.status === 'refused' ? outcome.reason : '', /refused the page \(SMTP 550/);
  assert.equal(server.messages().length, 0);
});

test('TLS is required by default: a server that offers no STARTTLS gets no page in clear (refused, says why)', async () => {
  const server = await smtp();
  const outcome = await channel(server.port, 30, false).deliver(delivery('clear-page'));
  assert.equal(outcome.status, 'refused');
  assert.match(outcome.status === 'refused' ? outcome.reason : '', /STARTTLS/);
  assert.equal(server.messages().length, 0, 'the ack link never crossed the wire in clear');
});

test('a server that answers too late is tried again with the same Message-ID', async () => {
  const server = await smtp('slow-once');
  const outcome = await channel(server.port, 1).deliver(delivery('slow-page'));
  assert.equal(outcome.status, 'delivered');
  // The late 250 may still have stored the first copy: every copy carries the same Message-ID.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const ids = new Set(server.messages().map((raw) => headerOf(raw, 'Message-ID')));
  assert.deepEqual([...ids], ['<slow-page.firebell@ops.example.org>']);
});

test('no server at all: retried until the channel stops, then abandoned (pending for the next start)', async () => {
  const server = await smtp();
  const port = server.port;
  await server.stop();
  const send = channel(port);
  const waiting = send.deliver(delivery('nobody-home'));
  await new Promise((resolve) => setTimeout(resolve, 300));
  send.stop();
  assert.equal((await waiting).status, 'abandoned');
});

test("an unknown mailbox (550 naming it) is refused without putting the contact's address in the reason", async () => {
  const server = await smtp('unknown-user');
  const outcome = await channel(server.port).deliver(delivery('unknown-mailbox'));
  assert.equal(outcome.status, 'refused');
  const reason = outcome.status === 'refused' ? outcome.reason : '';
  assert.match(reason, /SMTP 550: .*Recipient address rejected: User unknown/, 'the reason still says why');
  // The reason is shown on the public status site, beside "page to mara by email".
  assert.doesNotMatch(reason, /mara@example\.org/);
  assert.equal(server.messages().length, 0);
});

test('a summary typed in chat with "\\r\\nBcc: evil@example.org" adds no header and no recipient', async () => {
  const server = await smtp();
  const injected = '\r\nBcc: evil@example.org';
  const page = { ...PAGE, title: `#12 db down${injected}`, summary: `db down${injected}\r\n\r\nowned` };
  const outcome = await channel(server.port).deliver(delivery('bcc-page', page));
  assert.equal(outcome.status, 'delivered');
  const [raw = ''] = server.messages();
  assert.equal(headerOf(raw, 'X-Envelope-To'), 'mara@example.org', 'only the contact received it');
  assert.equal(headerOf(raw, 'Bcc'), undefined);
  assert.equal(headerOf(raw, 'Subject'), '#12 db down Bcc: evil@example.org');
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  assert.doesNotMatch(head, /^Bcc:/im);
});
