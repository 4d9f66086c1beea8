/**
 * The status site in the worst hour: a herd of requests shares one read of the store, revalidating clients
 * get 304, and nothing stale is served once a change was committed and said in chat.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import type { HttpServer } from '../../src/http/server.js';
import type { Delivery } from '../../src/core/delivery.js';
import { startSite } from './site-server.js';

const ana = ircUser('ana', 'ana');
const alice = ircUser('alice', 'alice');

let w: CoreWorld;
let server: HttpServer;
let base: string;
/** Reads of the front page's incidents and of one incident, by the site. */
const reads = { front: 0, incident: 0 };

before(async () => {
  w = await coreWorld();
  w.irc.type('#infra', alice, '!incident ceph is degraded');
  w.irc.type('#infra', alice, '!incident zuul queue stuck');
  await w.at(1);
  const recentIncidents = w.store.recentIncidents.bind(w.store);
  w.store.recentIncidents = (limit) => {
    reads.front += 1;
    return recentIncidents(limit);
  };
  const deliveries = w.store.deliveries.bind(w.store);
  w.store.deliveries = (id) => {
    reads.incident += 1;
    return deliveries(id);
  };
  server = await startSite(w, { publicUrl: 'https://status.example.org/', playbookHtml: '<p>pb</p>' });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await stopWorlds();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

test('a herd of requests at once costs one read of the store, for every page made from it', async () => {
  await w.at(2);
  const before = { ...reads };
  const answers = await Promise.all(
    ['/', '/api/v1/status.json', '/feed.atom', '/incidents/1', '/incidents/1.md']
      .flatMap((path) => Array.from({ length: 10 }, () => path))
      .map(async (path) => ({ path, response: await get(path) })),
  );
  for (const { path, response } of answers) assert.equal(response.status, 200, path);
  const fronts = await Promise.all(answers.filter((a) => a.path === '/').map((a) => a.response.text()));
  assert.equal(new Set(fronts).size, 1, 'one page for all');
  assert.match(fronts[0]!, /ceph is degraded/);
  assert.deepEqual(
    { front: reads.front - before.front, incident: reads.incident - before.incident },
    { front: 1, incident: 1 },
  );
});

test('a client that holds the current version gets 304; caches keep it briefly', async () => {
  for (const path of ['/', '/api/v1/status.json', '/feed.atom', '/incidents/2', '/alert.json']) {
    const first = await get(path);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') ?? '';
    const lastModified = first.headers.get('last-modified') ?? '';
    assert.match(etag, /^W\/"[\w-]+"$/, path);
    assert.equal(new Date(lastModified).toUTCString(), lastModified, `${path}: an HTTP date`);
    assert.equal(first.headers.get('cache-control'), 'public, max-age=5', path);
    const byTag = await get(path, { 'if-none-match': `"other", ${etag}` });
    assert.equal(byTag.status, 304, `${path} by If-None-Match`);
    assert.equal(await byTag.text(), '');
    assert.equal(byTag.headers.get('etag'), etag);
    const byDate = await get(path, { 'if-modified-since': lastModified });
    assert.equal(byDate.status, 304, `${path} by If-Modified-Since`);
    // If-None-Match decides when present, even if the date would say "not modified".
    const otherTag = await get(path, { 'if-none-match': '"other"', 'if-modified-since': lastModified });
    assert.equal(otherTag.status, 200, `${path} with another tag`);
  }
});

test('a page fetched right after the !ack reply shows the incident acknowledged', async () => {
  const stale = await get('/');
  const etag = stale.headers.get('etag') ?? '';
  const lastModified = stale.headers.get('last-modified') ?? '';
  const ceph = /#1<\/a> <bdi>ceph is degraded<\/bdi>\n<div class="meta">[^\n]*/;
  assert.match(ceph.exec(await stale.text())?.[0] ?? '', /not acknowledged yet/);
  // The moment the reply is handed to IRC, people read the site: those requests leave before anything else.
  const deliver = w.irc.deliver.bind(w.irc);
  const fetched: Array<Promise<Response>> = [];
  w.irc.deliver = (delivery: Delivery) => {
    if (/acknowledged by/i.test(JSON.stringify(delivery.content)) && fetched.length === 0)
      fetched.push(
        get('/'),
        get('/api/v1/status.json'),
        get('/incidents/1'),
        get('/', { 'if-none-match': etag }),
      );
    return deliver(delivery);
  };
  try {
    w.irc.type('#infra', ana, '!ack 1');
    await w.settle();
  } finally {
    w.irc.deliver = deliver;
  }
  assert.equal(fetched.length, 4, 'the reply was said');
  const [front, json, page, revalidated] = await Promise.all(fetched);
  assert.match(ceph.exec(await front!.text())?.[0] ?? '', /on it: <bdi>Ana<\/bdi>/);
  const status = (await json!.json()) as { open: { id: number; heldBy: string | null }[] };
  assert.equal(status.open.find((incident) => incident.id === 1)?.heldBy, 'Ana');
  assert.match(await page!.text(), /<bdi>Ana<\/bdi> is on it/);
  assert.equal(revalidated!.status, 200, 'the old version is not current');
  assert.notEqual(revalidated!.headers.get('etag'), etag);
  await revalidated!.arrayBuffer();
  // Changed within the second it was read: that date cannot tell the two versions apart.
  const byDate = await get('/', { 'if-modified-since': lastModified });
  assert.equal(byDate.status, 200);
  assert.match(ceph.exec(await byDate.text())?.[0] ?? '', /on it: <bdi>Ana<\/bdi>/);
});

test('a snapshot is read again once it is a few seconds old; the same content keeps its version', async () => {
  const first = await get('/');
  await first.arrayBuffer();
  const before = reads.front;
  await w.at(3);
  const later = await get('/', { 'if-none-match': first.headers.get('etag') ?? '' });
  assert.equal(reads.front, before + 1, 'read again');
  assert.equal(later.status, 304, 'nothing shown changed');
  const page = await (await get('/')).text();
  assert.match(page, /Generated <time[^>]*>2026-11-25 15:03 UTC/);
});

test('a failed read is not kept: the next request reads again', async () => {
  w.irc.type('#infra', ana, '#status notice mirrors are being rebuilt');
  await w.settle();
  const recentIncidents = w.store.recentIncidents;
  w.store.recentIncidents = () => Promise.reject(new Error('connection reset'));
  try {
    assert.equal((await get('/')).status, 500);
  } finally {
    w.store.recentIncidents = recentIncidents;
  }
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /mirrors are being rebuilt/);
});

test('an unknown incident is 404, and read once for a herd of its requests too', async () => {
  const before = reads.incident;
  const answers = await Promise.all(Array.from({ length: 5 }, () => get('/incidents/99')));
  assert.deepEqual(
    answers.map((answer) => answer.status),
    [404, 404, 404, 404, 404],
  );
  assert.equal(reads.incident, before, 'no incident: its deliveries are never read');
});

test('while commits come fast, the site reads one at a time and serves only the latest', async () => {
  let reading = 0;
  let most = 0;
  const recentIncidents = w.store.recentIncidents;
  w.store.recentIncidents = async (limit) => {
    reading += 1;
    most = Math.max(most, reading);
    try {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return await recentIncidents(limit);
    } finally {
      reading -= 1;
    }
  };
  try {
    const first = get('/');
    await new Promise((resolve) => setTimeout(resolve, 5));
    w.irc.type('#infra', ana, '#status notice second rebuild started');
    await w.settle();
    const second = get('/');
    await new Promise((resolve) => setTimeout(resolve, 5));
    w.irc.type('#infra', ana, '#status notice third rebuild started');
    await w.settle();
    const third = await (await get('/')).text();
    await Promise.all([first, second]);
    assert.equal(most, 1, 'never two reads at once');
    assert.match(third, /third rebuild started/);
  } finally {
    w.store.recentIncidents = recentIncidents;
  }
});
