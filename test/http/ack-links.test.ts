/**
 * One-tap acknowledgement links on the real HTTP listener, over a core world: a GET (a link previewer, a
 * mail scanner) shows the incident and a button and acknowledges nothing; a POST acknowledges once, as
 * the contact, announced in chat "from a push notification" and kept in the timeline the status site
 * shows; every link that must not work gets its own page and status, and changes nothing.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger.js';
import { signAckToken, type AckClaims } from '../../src/core/offchat/ack-token.js';
import { ackRoutes } from '../../src/http/ack-routes.js';
import type { HttpServer } from '../../src/http/server.js';
import type { StoreBatch } from '../../src/core/store.js';
import { coreWorld, MIN, stopWorlds, T0, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import { linkAcksOf } from '../support/link-acks.js';
import { startSite } from './site-server.js';

const SECRET = 'q3J9vX0m2kLr8TnW5yPz1aBc4dEf6gHi';
const HOUR = 60 * MIN;
const alice = ircUser('alice', 'alice');

const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await stopWorlds();
});

interface Setup {
  readonly w: CoreWorld;
  readonly base: string;
  /** A link for Ana, by ntfy, to incident `incidentId` (default 1), made now, valid 24 hours. */
  link(overrides?: Partial<AckClaims>): string;
}

async function setup(): Promise<Setup> {
  const w = await coreWorld();
  const acks = linkAcksOf(w);
  const server = await startSite(w, {
    publicUrl: 'https://firebell.example.org/',
    playbookHtml: '<!doctype html><title>Play book</title>',
    plugins: [
      ackRoutes({
        secret: SECRET,
        acks,
        now: () => w.clock.now(),
        logger: silentLogger,
        title: 'firebell',
        incidentUrl: (id) => `https://firebell.example.org/incidents/${id}`,
      }),
    ],
  });
  servers.push(server);
  w.irc.type('#infra', alice, '!incident database <b>down</b>');
  await w.at(5);
  return {
    w,
    base: `http://127.0.0.1:${server.port}`,
    link: (overrides = {}) => {
      const claims: AckClaims = {
        incidentId: 1,
        contactId: 'ana',
        expiresAt: w.clock.now() + 24 * HOUR,
        linkId: 'delivery-0001',
        way: 'ntfy',
        ...overrides,
      };
      return `/ack/${claims.incidentId}/${signAckToken(claims, SECRET)}`;
    },
  };
}

interface Answer {
  readonly status: number;
  readonly body: string;
  readonly headers: Headers;
}

async function call(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${base}${path}`, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** ntfy's action button: a POST with an empty body. */
const tap = (s: Setup, path: string): Promise<Answer> => call(s.base, path, { method: 'POST' });

function assertPrivate(answer: Answer): void {
  assert.equal(answer.headers.get('cache-control'), 'no-store');
  assert.equal(answer.headers.get('referrer-policy'), 'no-referrer');
  assert.match(answer.headers.get('content-type') ?? '', /^text\/html/);
}

const phase = (s: Setup): string | undefined => s.w.firebell.service.get(1)?.phase;

test('a GET by a link previewer shows the incident and one button, and acknowledges nothing', async () => {
  const s = await setup();
  s.w.clear();
  const path = s.link();
  for (const userAgent of ['Slackbot-LinkExpanding 1.0', 'Mozilla/5.0 (iPhone)']) {
    const page = await call(s.base, path, { headers: { 'user-agent': userAgent } });
    assert.equal(page.status, 200);
    assertPrivate(page);
    assert.match(
      page.body,
      /<form method="post"><button type="submit">Acknowledge as <bdi>Ana<\/bdi><\/button><\/form>/,
    );
    assert.equal((page.body.match(/<form/g) ?? []).length, 1, 'one button');
    assert.ok(!page.body.includes('<script'), 'no JavaScript');
    assert.ok(page.body.includes('database &lt;b&gt;down&lt;/b&gt;'), 'the summary is escaped');
    assert.ok(page.body.includes('Declared by <bdi>alice</bdi>'));
    assert.equal(page.headers.get('set-cookie'), null);
  }
  const head = await call(s.base, path, { method: 'HEAD' });
  assert.equal(head.status, 200);
  await s.w.settle();
  assert.equal(phase(s), 'announced', 'still unacknowledged');
  assert.deepEqual(s.w.store.rows('SELECT * FROM used_ack_links'), []);
  assert.ok(!s.w.all().some((line) => line.includes('acknowledged by')), s.w.all().join('\n'));
});

test('a POST acknowledges once, as the contact: announced in chat, in the timeline, the link marked used in the same commit', async () => {
  const s = await setup();
  s.w.clear();
  const path = s.link();
  const batches: StoreBatch[] = [];
  const commit = s.w.store.commit.bind(s.w.store);
  s.w.store.commit = (batch) => {
    batches.push(batch);
    return commit(batch);
  };
  const done = await tap(s, path);
  assert.equal(done.status, 200, done.body);
  assertPrivate(done);
  assert.match(done.body, /You acknowledged incident #1/);
  assert.equal(phase(s), 'assigned');
  const marked = batches.filter((batch) => batch.usedAckLinks.length > 0);
  assert.equal(marked.length, 1);
  assert.ok(
    marked[0]?.transitions.some((t) => t.timeline.entries.some((entry) => entry.kind === 'acknowledged')),
    'the ack and the used mark: one commit',
  );
  assert.deepEqual(s.w.store.rows('SELECT link_id, incident_id, contact_id FROM used_ack_links'), [
    { link_id: 'delivery-0001', incident_id: 1, contact_id: 'ana' },
  ]);
  await s.w.settle();
  const said = s.w.irc.lines().filter((line) => line.includes('acknowledged by'));
  assert.equal(said.length, 1, s.w.irc.lines().join('\n'));
  assert.match(
    said[0]!,
    /Incident #1 acknowledged by Ana from a push notification after 5 min; paging stopped\./,
  );
  const acked = (await s.w.store.timeline(1)).find((entry) => entry.kind === 'acknowledged');
  assert.deepEqual(acked?.by, { name: 'Ana', contactId: 'ana', network: 'ntfy', via: 'ntfy' });
  const site = await call(s.base, '/incidents/1');
  assert.match(
    site.body,
    /Acknowledged<\/span> by <bdi>Ana<\/bdi> <span class="meta">\(<bdi>from a push notification<\/bdi>\)/,
  );

  s.w.clear();
  const again = await tap(s, path);
  assert.equal(again.status, 409);
  assertPrivate(again);
  assert.match(again.body, /This link was already used/);
  const shown = await call(s.base, path);
  assert.equal(shown.status, 409, 'a GET of a used link says so too');
  await s.w.settle();
  assert.deepEqual(s.w.all(), [], 'nothing said the second time');
  assert.equal((await s.w.store.timeline(1)).filter((entry) => entry.kind === 'acknowledged').length, 1);
});

test('the button (a form POST) works and an e-mail link says so in chat', async () => {
  const s = await setup();
  const answer = await call(s.base, s.link({ way: 'email', linkId: 'mail-1' }), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '',
  });
  assert.equal(answer.status, 200, answer.body);
  await s.w.settle();
  assert.ok(
    s.w.irc.lines().some((line) => /acknowledged by Ana from an e-mail after/.test(line)),
    s.w.irc.lines().join('\n'),
  );
});

test('two taps at once acknowledge once: the second is refused as used', async () => {
  const s = await setup();
  const path = s.link();
  const answers = await Promise.all([tap(s, path), tap(s, path)]);
  assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 409]);
  assert.equal(s.w.store.rows('SELECT * FROM used_ack_links').length, 1);
});

test('forged, tampered, wrong-incident, expired, unknown-incident and unknown-contact links each get their page and change nothing', async () => {
  const s = await setup();
  s.w.irc.type('#infra', alice, '!incident second thing');
  await s.w.at(6);
  s.w.clear();
  const genuine = s.link();
  const [, , , token] = genuine.split('/');
  const [claims, signature] = (token ?? '').split('.');
  const cases: Array<[string, string, number, RegExp]> = [
    [
      'forged',
      `/ack/1/${signAckToken({ incidentId: 1, contactId: 'ana', expiresAt: T0 + 99 * HOUR, linkId: 'x', way: 'ntfy' }, 'not-our-secret-not-our-secret-xx')}`,
      403,
      /not valid/,
    ],
    ['tampered', `/ack/1/${claims}x.${signature}`, 403, /not valid/],
    ['garbage', '/ack/1/hello', 403, /not valid/],
    ['wrong incident', `/ack/2/${token}`, 403, /It acknowledges incident #1, not #2/],
    ['expired', s.link({ expiresAt: s.w.clock.now() - 1 }), 410, /has expired/],
    ['no such incident', s.link({ incidentId: 99 }), 404, /There is no incident #99/],
    ['not a contact', s.link({ contactId: 'mallory' }), 403, /mallory is no longer in contacts\.yaml/],
    ['not a number', `/ack/one/${token}`, 404, /There is no incident/],
  ];
  for (const [what, path, status, words] of cases)
    for (const method of ['GET', 'POST']) {
      const answer = await call(s.base, path, { method });
      assert.equal(answer.status, status, `${what} ${method}: ${answer.body}`);
      assert.match(answer.body, words, what);
      assertPrivate(answer);
    }
  await s.w.settle();
  assert.equal(phase(s), 'announced');
  assert.deepEqual(s.w.store.rows('SELECT * FROM used_ack_links'), []);
  assert.deepEqual(s.w.all(), []);
});

test('a link to an incident resolved or already taken is refused; the link stays unused', async () => {
  const s = await setup();
  s.w.irc.type('#infra', alice, '!incident second thing');
  await s.w.at(6);
  s.w.irc.type('#infra', ircUser('bo', 'bo_account'), '!ack 2');
  s.w.irc.type('#infra', alice, '!resolved 1 fixed');
  await s.w.at(7);
  s.w.clear();
  const resolved = await tap(s, s.link());
  assert.equal(resolved.status, 410);
  assert.match(resolved.body, /Incident #1 is already resolved/);
  const taken = await tap(s, s.link({ incidentId: 2, linkId: 'delivery-0002' }));
  assert.equal(taken.status, 409);
  assert.match(taken.body, /<bdi>Bo<\/bdi> is on it/);
  await s.w.settle();
  assert.deepEqual(s.w.store.rows('SELECT * FROM used_ack_links'), []);
  assert.deepEqual(s.w.all(), []);
});

test('an acknowledgement the store refuses is answered 500 naming the refusal; nothing was acknowledged', async () => {
  const s = await setup();
  s.w.store.run(`CREATE TRIGGER refuse_ack BEFORE UPDATE ON incidents
    WHEN NEW.id = 1 AND NEW.phase = 'assigned' BEGIN SELECT RAISE(ABORT, 'refused <by> the test'); END`);
  const answering = tap(s, s.link());
  // The journal retries the refused batch after its first wait (simulated), then drops it.
  for (let minute = 6; minute <= 8; minute += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await s.w.at(minute);
  }
  const answer = await answering;
  assert.equal(answer.status, 500, answer.body);
  assertPrivate(answer);
  assert.match(answer.body, /refused &lt;by&gt; the test/);
  assert.match(answer.body, /Nothing was acknowledged/);
  assert.deepEqual(s.w.store.rows('SELECT link_id FROM used_ack_links'), []);
});
