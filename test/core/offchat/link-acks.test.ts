/**
 * The core's side of an ack link: it acknowledges as the contact, once; the used mark outlives a restart;
 * a judgement (a GET) never changes anything; the whitelist permission holds for links as for `!ack`.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AckClaims } from '../../../src/core/offchat/ack-token.js';
import { linkAcksOf } from '../../support/link-acks.js';
import { coreWorld, MIN, stopWorlds } from '../../support/core-world.js';
import { ircUser } from '../../support/fake-network.js';
import { TestStore } from '../../support/test-store.js';

afterEach(() => stopWorlds());

const claims: AckClaims = {
  incidentId: 1,
  contactId: 'bo',
  expiresAt: Number.MAX_SAFE_INTEGER,
  linkId: 'delivery-7',
  way: 'email',
};

test('a link acknowledges once; after a restart on the same store it is still used', async () => {
  const store = new TestStore();
  const first = await coreWorld({ store });
  first.irc.type('#infra', ircUser('alice', 'alice'), '!incident disk full');
  await first.at(2);
  const acks = linkAcksOf(first);
  assert.equal((await acks.judge(claims)).kind, 'usable');
  assert.equal(first.firebell.service.get(1)?.phase, 'announced', 'judging changes nothing');
  const verdict = await acks.acknowledge(claims);
  assert.equal(verdict.kind, 'acknowledged');
  assert.deepEqual(first.firebell.service.get(1)?.context.assignee, {
    name: 'Bo',
    contactId: 'bo',
    network: 'email',
    via: 'email',
  });
  assert.equal((await acks.acknowledge(claims)).kind, 'reused');
  await stopWorlds();

  const second = await coreWorld({ store, startAt: first.clock.now() + MIN });
  second.irc.type('#infra', ircUser('ana', 'ana'), '!unack 1');
  await second.settle();
  assert.equal(second.firebell.service.get(1)?.phase, 'announced', 'free to acknowledge again');
  assert.equal((await linkAcksOf(second).acknowledge(claims)).kind, 'reused', 'the mark was stored');
  assert.equal((await linkAcksOf(second).judge(claims)).kind, 'reused');
  assert.equal(second.firebell.service.get(1)?.phase, 'announced');
});

test('with the ack permission at whitelist, a contact not on it cannot acknowledge by link either', async () => {
  const w = await coreWorld();
  w.irc.type('#infra', ircUser('alice', 'alice'), '!incident disk full');
  await w.at(2);
  const whitelisted = w.firebell.directory.whitelist.map((person) => person.contactId);
  const outsider = w.firebell.directory.contacts.find((contact) => !whitelisted.includes(contact.id));
  assert.ok(outsider, 'the fixture has a contact who is not whitelisted');
  const verdict = await linkAcksOf(w, 'whitelist').acknowledge({ ...claims, contactId: outsider.id });
  assert.equal(verdict.kind, 'not-allowed');
  assert.equal(w.firebell.service.get(1)?.phase, 'announced');
});
