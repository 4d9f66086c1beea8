/**
 * The ntfy channel against the spec-faithful test server: what a phone receives for a page, a reminder and
 * a follow-up; 429 retried with the same sequence id (one notification on the phone); a wrong token and a
 * protected topic refused; a server that is down retried until it is up, or abandoned at a stop.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Delivery } from '../../src/core/delivery.js';
import type { OffChatPage } from '../../src/core/offchat/page.js';
import { silentLogger } from '../../src/core/logger.js';
import { systemClock } from '../../src/core/clock.js';
import { NtfyChannel, type NtfyAddress } from '../../src/offchat/ntfy/ntfy-channel.js';
import { NtfyServer } from '../ntfy-server/ntfy-server.js';
import { freePort } from '../servers/server-process.js';

const clock = systemClock;
const FAST = { firstMs: 20, maxMs: 100 };
const servers: NtfyServer[] = [];
after(() => Promise.all(servers.map((server) => server.stop())));

async function ntfy(options: ConstructorParameters<typeof NtfyServer>[0] = {}): Promise<NtfyServer> {
  const server = new NtfyServer(options);
  servers.push(server);
  await server.start();
  return server;
}

const PAGE: OffChatPage = {
  contactId: 'mara',
  incidentId: 12,
  kind: 'page',
  title: '#12 database down (ops)',
  summary: 'database down\nDeclared by dario 4 minutes ago; nobody has acknowledged.',
};

let ids = 0;
function delivery(page: OffChatPage = PAGE, id = `d-${(ids += 1)}-0000`): Delivery {
  return {
    id,
    channel: 'ntfy',
    lane: 'urgent',
    content: { kind: 'offchat', page },
    durable: true,
    attempts: 0,
    createdAt: 0,
  };
}

function channel(address: NtfyAddress | undefined): NtfyChannel {
  return new NtfyChannel({
    addressOf: (contact) => (contact === 'mara' ? address : undefined),
    linksFor: (page) => ({
      incidentUrl: `https://firebell.example.org/incidents/${page.incidentId}`,
      ackUrl: `https://firebell.example.org/ack/${page.incidentId}.signed`,
    }),
    clock,
    logger: silentLogger,
    retry: FAST,
    timeoutMs: 2_000,
  });
}

test('a page reaches the phone: title, summary, urgent priority, tags, click URL, an ack button', async () => {
  const server = await ntfy({ tokens: ['tk_mara'], protectedTopics: ['mara-pages'] });
  const outcome = await channel({ server: server.url, topic: 'mara-pages', token: 'tk_mara' }).deliver(
    delivery(),
  );
  assert.equal(outcome.status, 'delivered');
  const [shown, ...others] = server.notifications('mara-pages');
  assert.equal(others.length, 0);
  assert.ok(
    outcome.status === 'delivered' && outcome.receipt[0] === shown?.id,
    "the receipt is ntfy's message id",
  );
  assert.equal(shown?.title, '#12 database down (ops)');
  assert.equal(shown?.message, PAGE.summary);
  assert.equal(shown?.priority, 5);
  assert.deepEqual(shown?.tags, ['rotating_light', 'firebell']);
  assert.equal(shown?.click, 'https://firebell.example.org/incidents/12');
  assert.deepEqual(shown?.actions, [
    {
      action: 'http',
      label: 'Acknowledge',
      url: 'https://firebell.example.org/ack/12.signed',
      method: 'POST',
      clear: true,
    },
    { action: 'view', label: 'Open incident', url: 'https://firebell.example.org/incidents/12' },
  ]);
  assert.equal(shown?.by, 'token:tk_mara');
  assert.deepEqual(
    server.requests.map((request) => [request.method, request.path, request.contentType, request.status]),
    [['POST', '/', 'application/json', 200]],
  );
});

test('reminders are high priority, follow-ups default and without an ack button; control characters go', async () => {
  const server = await ntfy();
  const send = channel({ server: server.url, topic: 'mara' });
  await send.deliver(delivery({ ...PAGE, kind: 'reminder', title: '#12 still\r\nX-Injected: yes' }));
  await send.deliver(delivery({ ...PAGE, kind: 'follow-up', title: '#12 acknowledged by anil' }));
  const [followUp, reminder] = server.notifications('mara');
  assert.equal(reminder?.priority, 4);
  assert.equal(reminder?.title, '#12 still X-Injected: yes');
  assert.equal(followUp?.priority, 3);
  assert.deepEqual(
    followUp?.actions.map((action) => action.label),
    ['Open incident'],
  );
});

test('429 is retried with the same sequence id: one notification on the phone', async () => {
  const server = await ntfy();
  server.failNext(429, 2);
  const outcome = await channel({ server: server.url, topic: 'mara' }).deliver(delivery(PAGE, 'same-id-429'));
  assert.equal(outcome.status, 'delivered');
  assert.deepEqual(
    server.requests.map((request) => request.status),
    [429, 429, 200],
  );
  assert.equal(server.notifications('mara').length, 1);
});

test('a resend after a restart (same delivery id) replaces the notification instead of adding one', async () => {
  const server = await ntfy();
  const address = { server: server.url, topic: 'mara' };
  await channel(address).deliver(delivery(PAGE, 'resent-after-crash'));
  await channel(address).deliver({ ...delivery(PAGE, 'resent-after-crash'), attempts: 1 });
  assert.equal(server.accepted.length, 2);
  assert.equal(server.notifications('mara').length, 1);
});

test('a wrong token is refused (401), an anonymous publish to a protected topic too (403): no retry', async () => {
  const server = await ntfy({ tokens: ['tk_right'], protectedTopics: ['mara'] });
  const wrong = await channel({ server: server.url, topic: 'mara', token: 'tk_wrong' }).deliver(delivery());
  assert.equal(wrong.status, 'refused');
  assert.match(wrong.status === 'refused' ? wrong.reason : '', /access token \(401\)/);
  const anonymous = await channel({ server: server.url, topic: 'mara' }).deliver(delivery());
  assert.equal(anonymous.status, 'refused');
  assert.match(anonymous.status === 'refused' ? anonymous.reason : '', /needs an access token \(403\)/);
  assert.deepEqual(
    server.requests.map((request) => request.status),
    [401, 403],
  );
  assert.equal(server.accepted.length, 0);
});

test('a server that is down is retried until it is up; a stop leaves the page pending (abandoned)', async () => {
  const port = await freePort();
  const address = { server: `http://127.0.0.1:${port}`, topic: 'mara' };
  const send = channel(address);
  const pending = send.deliver(delivery());
  await new Promise((resolve) => setTimeout(resolve, 150));
  const server = new NtfyServer();
  servers.push(server);
  await server.start(port);
  assert.equal((await pending).status, 'delivered');
  assert.equal(server.notifications('mara').length, 1);

  const downPort = await freePort();
  const stopping = channel({ server: `http://127.0.0.1:${downPort}`, topic: 'mara' });
  const waiting = stopping.deliver(delivery());
  await new Promise((resolve) => setTimeout(resolve, 60));
  stopping.stop();
  assert.equal((await waiting).status, 'abandoned');
});

test('a contact without ntfy, and a chat message handed to ntfy, are refused', async () => {
  const send = channel(undefined);
  const outcome = await send.deliver(delivery());
  assert.equal(outcome.status, 'refused');
  assert.match(outcome.status === 'refused' ? outcome.reason : '', /mara has no ntfy topic/);
});

test('the test server holds clients to the documentation: unknown fields, bad priority, four actions', async () => {
  const server = await ntfy();
  const post = (body: unknown): Promise<Response> =>
    fetch(`${server.url}/`, { method: 'POST', body: JSON.stringify(body) });
  const view = { action: 'view', label: 'x', url: 'https://example.org/' };
  assert.equal((await post({ topic: 'mara', urgency: 5 })).status, 400);
  assert.equal((await post({ topic: 'mara', priority: 7 })).status, 400);
  assert.equal((await post({ topic: 'mara', actions: [view, view, view, view] })).status, 400);
  assert.equal((await post({ topic: 'has space' })).status, 400);
  const headers = await fetch(`${server.url}/mara`, {
    method: 'POST',
    headers: { 'X-Title': 'Disk low', 'X-Priority': 'high', 'X-Tags': 'warning,cd' },
    body: 'Disk at 95%',
  });
  assert.equal(headers.status, 200);
  const error = (await (await post({ topic: 'mara', priority: 0 })).json()) as Record<string, unknown>;
  assert.deepEqual([error.code, error.http], [40000, 400]);
  const [shown] = server.notifications('mara');
  assert.deepEqual([shown?.title, shown?.priority, shown?.tags], ['Disk low', 4, ['warning', 'cd']]);
});

/**
 * `server: http://…` where a proxy answers every request with `301` to https, as nginx's usual
 * `return 301 https://$host$request_uri` does: fetch follows it as a GET (the POST and its body are gone),
 * and ntfy answers a GET of its root with its web app, 200.
 */
async function redirectingProxy(): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('node:http');
  const app = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ntfy</title>');
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appPort = (app.address() as { port: number }).port;
  const proxy = createServer((request, response) => {
    request.resume();
    response.writeHead(301, { location: `http://127.0.0.1:${appPort}${request.url ?? '/'}` }).end();
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const close = (server: typeof app): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    url: `http://127.0.0.1:${(proxy.address() as { port: number }).port}`,
    close: async () => {
      await close(proxy);
      await close(app);
    },
  };
}

test('a server address that redirects (http to https) is refused with the reason, not counted delivered', async () => {
  const proxy = await redirectingProxy();
  try {
    const outcome = await channel({ server: proxy.url, topic: 'mara-pages' }).deliver(delivery());
    assert.equal(outcome.status, 'refused', 'nothing was published: the POST became a GET of the web app');
    assert.match(
      outcome.status === 'refused' ? outcome.reason : '',
      /^ntfy\.server redirected to http:\/\/127\.0\.0\.1:\d+, and nothing was published: set ntfy\.server to that address$/,
    );
  } finally {
    await proxy.close();
  }
});

test('a title typed in chat outside Latin-1 arrives as typed: it goes in the JSON body, never in a header', async () => {
  const server = await ntfy();
  const outcome = await channel({ server: server.url, topic: 'mara' }).deliver(
    delivery({ ...PAGE, title: '#12 Störung 🚨 数据库\r\nX-Injected: yes' }),
  );
  assert.equal(outcome.status, 'delivered');
  const [shown] = server.notifications('mara');
  assert.equal(shown?.title, '#12 Störung 🚨 数据库 X-Injected: yes');
  assert.deepEqual(
    server.requests.map((request) => [request.contentType, request.status]),
    [['application/json', 200]],
  );
});
