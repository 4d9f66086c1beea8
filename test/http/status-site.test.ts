/**
 * The public status site on the real HTTP listener: every route, what it shows after incidents were
 * declared, acknowledged and resolved and a `#status alert` posted in chat, and people's text escaped
 * everywhere (HTML, Markdown, Atom, JSON).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import type { HttpServer } from '../../src/http/server.js';
import { startSite } from './site-server.js';
import { opsRoutes } from '../../src/http/ops-routes.js';

const ana = ircUser('ana', 'ana'); // whitelisted, a contact
const alice = ircUser('alice', 'alice');
const HOSTILE =
  '<script>alert(1)</script> [x](javascript:alert(2)) \u202eevil\u202c zero\u200bwidth \u05e9\u05dc\u05d5\u05dd';

let w: CoreWorld;
let server: HttpServer;
let base: string;

before(async () => {
  w = await coreWorld();
  w.irc.type('#infra', alice, `!incident ${HOSTILE}`);
  await w.at(1);
  w.irc.type('#infra', alice, '!incident PyPI mirror errors are failing gate jobs');
  await w.at(2);
  w.irc.type('#infra', ana, '!ack 2');
  await w.at(3);
  w.irc.type('#infra', ana, '#status alert PyPI mirror problems causing gate failures <b>stand by</b>');
  w.irc.type('#infra', alice, '!incident zuul scheduler restarted');
  await w.at(4);
  w.irc.type('#infra', ana, '!resolved 3 it came back');
  await w.at(5);
  server = await startSite(w, {
    publicUrl: 'https://status.example.org/',
    playbookHtml: '<!doctype html><title>Play book</title><h1>Play book</h1>',
    plugins: [opsRoutes({ readiness: w.firebell, registry: new Registry() })],
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await stopWorlds();
});

const get = async (
  path: string,
): Promise<{ status: number; type: string; body: string; headers: Headers }> => {
  const response = await fetch(`${base}${path}`);
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: await response.text(),
    headers: response.headers,
  };
};

/** No raw markup or hiding control from people's text survives into a page. */
function assertEscaped(body: string): void {
  assert.doesNotMatch(body, /<script>alert/);
  assert.doesNotMatch(body, /href="javascript:/i);
  assert.doesNotMatch(body, /[\u202e\u202c\u200b]/);
  assert.doesNotMatch(body, /<b>stand by<\/b>/);
}

test('the front page: the alert, open incidents with their phase and holder, the history', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.equal(page.type, 'text/html; charset=utf-8');
  assert.equal(page.headers.get('set-cookie'), null, 'no cookies');
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  assertEscaped(page.body);
  assert.match(page.body, /<main>/);
  assert.match(
    page.body,
    /<h2 id="alert-heading"><strong>Alert<\/strong><\/h2><p><bdi>PyPI mirror problems causing gate failures &lt;b&gt;stand by&lt;\/b&gt;<\/bdi>/,
  );
  const open = page.body.slice(
    page.body.indexOf('id="open-heading"'),
    page.body.indexOf('id="history-heading"'),
  );
  assert.match(
    open,
    /phase-Identified">Identified<\/span> <a href="incidents\/2">#2<\/a> <bdi>PyPI mirror errors/,
  );
  assert.match(
    open,
    /on it: <bdi>Ana<\/bdi> since <time datetime="2026-11-25T15:02:00.000Z">2026-11-25 15:02 UTC<\/time>/,
  );
  assert.match(
    open,
    /phase-Investigating">Investigating<\/span> <a href="incidents\/1">#1<\/a> <bdi>&lt;script&gt;alert\(1\)&lt;\/script&gt; \[x\]\(javascript:alert\(2\)\) evil zerowidth \u05e9\u05dc\u05d5\u05dd<\/bdi>/,
  );
  assert.match(open, /not acknowledged yet/);
  assert.doesNotMatch(open, /zuul/, 'a resolved incident is not open');
  const history = page.body.slice(page.body.indexOf('id="history-heading"'));
  assert.match(
    history,
    /phase-Resolved">Resolved<\/span> <a href="incidents\/3">#3<\/a> <bdi>zuul scheduler restarted/,
  );
  assert.match(history, /<span class="phase">Alert<\/span> <bdi>PyPI mirror problems/);
  assert.ok(
    history.indexOf('#3') < history.indexOf('Alert</span>'),
    'newest first: the resolution came after the alert',
  );
});

test('an incident page: its timeline in UTC, its pages and their outcomes, and the Markdown export', async () => {
  const page = await get('/incidents/2');
  assert.equal(page.status, 200);
  assertEscaped(page.body);
  assert.match(page.body, /<h1>#2 PyPI mirror errors are failing gate jobs<\/h1>/);
  for (const word of ['Declared', 'Announced', 'Acknowledged'])
    assert.match(page.body, new RegExp(`<span class="phase">${word}</span>`));
  assert.match(page.body, /announce in #infra on libera/);
  assert.match(page.body, /delivered 2026-11-25 15:0\d UTC/);
  const markdown = await get('/incidents/2.md');
  assert.equal(markdown.status, 200);
  assert.equal(markdown.type, 'text/markdown; charset=utf-8');
  assert.match(markdown.body, /^# Incident #2: PyPI mirror errors are failing gate jobs\n/);
  assert.match(markdown.body, /- 2026-11-25 15:02 UTC: Acknowledged by Ana/);
  const hostile = await get('/incidents/1.md');
  assert.match(
    hostile.body,
    /^# Incident #1: \\<script\\>alert\\\(1\\\)\\<\/script\\> \\\[x\\\]\\\(javascript:alert\\\(2\\\)\\\)/,
  );
  assert.doesNotMatch(hostile.body, /[\u202e\u202c\u200b]/, 'no hiding control in the postmortem');
  const hostilePage = await get('/incidents/1');
  assertEscaped(hostilePage.body);
  for (const path of ['/incidents/99', '/incidents/abc', '/incidents/1.html', '/incidents/-1'])
    assert.equal((await get(path)).status, 404, path);
});

test('alert.json in the statusbot format with CORS, status.json, the feed, the play book', async () => {
  const alert = await get('/alert.json');
  assert.equal(alert.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(JSON.parse(alert.body), {
    alert: 'PyPI mirror problems causing gate failures <b>stand by</b>',
  });
  const status = JSON.parse((await get('/api/v1/status.json')).body) as {
    indicator: string;
    open: { id: number; status: string; heldBy: string | null; url: string }[];
  };
  assert.equal(status.indicator, 'alert');
  assert.deepEqual(
    status.open.map((incident) => [incident.id, incident.status, incident.heldBy, incident.url]),
    [
      [2, 'Identified', 'Ana', 'https://status.example.org/incidents/2'],
      [1, 'Investigating', null, 'https://status.example.org/incidents/1'],
    ],
  );
  const feed = await get('/feed.atom');
  assert.equal(feed.type, 'application/atom+xml; charset=utf-8');
  assert.match(
    feed.body,
    /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
  );
  assert.match(feed.body, /<title>#1 Investigating: &lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(
    feed.body,
    /<title>#status alert: PyPI mirror problems causing gate failures &lt;b&gt;stand by&lt;\/b&gt;<\/title>/,
  );
  assert.equal((feed.body.match(/<entry>/g) ?? []).length, 4, 'three incidents and one status post');
  assert.doesNotMatch(feed.body, /[\u202e\u202c\u200b]/, 'no hiding control in the feed');
  // RFC 4287: a feed whose entries do not all name an author names one itself, or it is invalid.
  assert.match(feed.body, /^<feed [^>]*>(?:(?!<entry>).)*<author><name>firebell<\/name><\/author>/m);
  const playbook = await get('/playbook');
  assert.equal(playbook.status, 200);
  assert.match(playbook.body, /<h1>Play book<\/h1>/);
  const script = await get('/site.js');
  assert.equal(script.type, 'text/javascript; charset=utf-8');
});

test('health and readiness say which part is not ready', async () => {
  const health = await get('/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.body, 'ok\n');
  const ready = await get('/readyz');
  assert.equal(ready.status, 200);
  assert.deepEqual(JSON.parse(ready.body), {
    ready: true,
    store: 'ok',
    networks: { libera: 'connected', matrix: 'connected', shell: 'connected' },
  });
  await w.irc.stop();
  const notReady = await get('/readyz');
  assert.equal(notReady.status, 503);
  assert.equal(
    (JSON.parse(notReady.body) as { networks: Record<string, string> }).networks.libera,
    'stopped',
  );
});

test('the site is read-only: other methods are refused, unknown paths are 404', async () => {
  const post = await fetch(`${base}/`, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(post.status, 404);
  await post.text();
  assert.equal((await get('/nothing-here')).status, 404);
});
