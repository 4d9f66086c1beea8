/**
 * Who holds an incident, as the status site says it: the person it was assigned to, not the person who
 * typed `!assign`.
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
  w.irc.type('#infra', ana, '!assign bo 1');
  await w.at(2);
  server = await startSite(w, { publicUrl: 'https://status.example.org/', playbookHtml: '<p>pb</p>' });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await stopWorlds();
});

test('an incident Ana assigned to Bo is held by Bo on every page', async () => {
  assert.equal(w.firebell.service.get(1)?.context.assignee?.name, 'Bo');
  const front = await (await fetch(`${base}/`)).text();
  assert.match(front, /on it: <bdi>Bo<\/bdi> since/);
  const page = await (await fetch(`${base}/incidents/1`)).text();
  assert.match(page, /<bdi>Bo<\/bdi> is on it/);
  const markdown = await (await fetch(`${base}/incidents/1.md`)).text();
  assert.match(markdown, /- Held by: Bo since/);
  const status = (await (await fetch(`${base}/api/v1/status.json`)).json()) as {
    open: { heldBy: string | null }[];
  };
  assert.deepEqual(
    status.open.map((incident) => incident.heldBy),
    ['Bo'],
  );
});

test('once resolved, the incident page no longer says anyone is on it', async () => {
  w.irc.type('#infra', ana, '!resolved 1 rebalanced');
  await w.at(3);
  const page = await (await fetch(`${base}/incidents/1`)).text();
  assert.match(page, /phase-Resolved/);
  assert.doesNotMatch(page, /is on it/);
  assert.match(page, /held by <bdi>Bo<\/bdi>/);
});
