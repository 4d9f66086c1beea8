/**
 * The status site after a long history: an incident still open is shown as open however many incidents
 * were declared and resolved after it, on the front page, in status.json and in the feed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import type { HttpServer } from '../../src/http/server.js';
import { startSite } from './site-server.js';

const ana = ircUser('ana', 'ana');
const alice = ircUser('alice', 'alice');

let w: CoreWorld;
let server: HttpServer;
let base: string;

before(async () => {
  w = await coreWorld();
  w.irc.type('#infra', alice, '!incident ceph is degraded');
  await w.at(1);
  w.irc.type('#infra', ana, '!ack 1');
  await w.at(2);
  // A busy week after it: sixty incidents declared and resolved while #1 stays open.
  for (let n = 2; n <= 61; n += 1) {
    w.irc.type('#infra', alice, `!incident flaky thing ${n}`);
    await w.settle();
    w.irc.type('#infra', ana, `!resolved ${n}`);
    await w.at(2 + n);
  }
  server = await startSite(w, { publicUrl: 'https://status.example.org/', playbookHtml: '<p>pb</p>' });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await stopWorlds();
});

test('an old incident still open stays on the front page, in status.json and in the feed', async () => {
  assert.deepEqual(
    w.firebell.service.open().map((incident) => incident.id),
    [1],
  );
  const front = await (await fetch(`${base}/`)).text();
  const open = front.slice(front.indexOf('id="open-heading"'), front.indexOf('id="history-heading"'));
  assert.match(open, /<a href="incidents\/1">#1<\/a> <bdi>ceph is degraded<\/bdi>/);
  assert.doesNotMatch(open, /No open incidents/);
  const status = (await (await fetch(`${base}/api/v1/status.json`)).json()) as {
    indicator: string;
    open: { id: number }[];
  };
  assert.equal(status.indicator, 'incident');
  assert.deepEqual(
    status.open.map((incident) => incident.id),
    [1],
  );
  const feed = await (await fetch(`${base}/feed.atom`)).text();
  assert.match(feed, /<title>#1 Identified: ceph is degraded<\/title>/);
});
