/**
 * The status site behind a reverse proxy that serves it under a path (`https://example.org/status/`,
 * `http.publicUrl` with a path): every link a page makes stays under that path.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import type { HttpServer } from '../../src/http/server.js';
import { startSite } from './site-server.js';

const alice = ircUser('alice', 'alice');
const PUBLIC = 'https://example.org/status/';

let w: CoreWorld;
let server: HttpServer;
let base: string;

before(async () => {
  w = await coreWorld();
  w.irc.type('#infra', alice, '!incident ceph is degraded');
  await w.at(1);
  server = await startSite(w, { publicUrl: PUBLIC, playbookHtml: '<p>pb</p>' });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server?.close();
  await stopWorlds();
});

/** Where each link and script of the page at `path` leads when the proxy serves it under PUBLIC. */
async function targets(path: string): Promise<string[]> {
  const body = await (await fetch(`${base}${path}`)).text();
  const page = new URL(path.slice(1), PUBLIC);
  return [...body.matchAll(/(?:href|src)="([^"]*)"/g)].map((match) => new URL(match[1] ?? '', page).href);
}

test('the front page and an incident page link only under the public path', async () => {
  for (const path of ['/', '/incidents/1']) {
    const found = await targets(path);
    assert.ok(found.length >= 7, `${path}: ${found.join(' ')}`);
    for (const target of found) assert.ok(target.startsWith(PUBLIC), `${path} links to ${target}`);
  }
  assert.ok((await targets('/')).includes(`${PUBLIC}incidents/1`));
  const incident = await targets('/incidents/1');
  for (const expected of ['', 'playbook', 'feed.atom', 'site.js', 'incidents/1.md', 'alert.json'])
    assert.ok(incident.includes(`${PUBLIC}${expected}`), `${expected} in ${incident.join(' ')}`);
});
