import { test } from 'node:test';
import assert from 'node:assert/strict';
import { personRefOf } from '../../../src/core/directory.js';
import { pageRoutes } from '../../../src/core/escalation/page-routes.js';
import type { GroupMember } from '../../../src/core/groups.js';
import type { NetworkKind } from '../../../src/core/messages.js';
import { makeContact } from '../../support/builders.js';

const member = (network: string, conversation: string): GroupMember => ({
  network,
  conversation,
  topic: false,
  status: false,
});
const members = [member('libera', '#ops'), member('oftc', '#ops'), member('hs', '!room:hs')];
const kinds = new Map<string, NetworkKind>([
  ['libera', 'irc'],
  ['oftc', 'irc'],
  ['hs', 'matrix'],
]);

test('a contact with an account on one IRC network is paged only there, never under the same nick on the other', () => {
  // On libera 'ana' is whoever holds the name: a private page there would tell a stranger of the incident.
  const ana = makeContact({
    id: 'ana',
    timezone: 'UTC',
    hours: {},
    irc: { account: 'ana', accounts: { oftc: 'ana' } },
    reach: 'both',
  });
  const routes = pageRoutes(ana, members, (network) => kinds.get(network));
  assert.deepEqual(routes.privately, ['oftc']);
  assert.deepEqual(
    routes.highlights.map((here) => here.network),
    ['oftc'],
  );
});

test('a contact with one account and one IRC network (the form from before per-network accounts) is paged on it', () => {
  const ana = makeContact({
    id: 'ana',
    timezone: 'UTC',
    hours: {},
    irc: { account: 'ana' },
    matrix: '@ana:hs',
    reach: 'both',
  });
  const routes = pageRoutes(ana, [member('libera', '#ops'), member('hs', '!room:hs')], (network) =>
    kinds.get(network),
  );
  assert.deepEqual(routes.privately, ['libera', 'hs']);
  assert.deepEqual(
    routes.highlights.map((here) => here.network),
    ['libera', 'hs'],
  );
});

test('a contact with accounts by network and no nick is addressed on each network by their account there', () => {
  // Paged on oftc as 'ana' (the first listed), the page went to whoever holds that nick on oftc.
  const ana = makeContact({
    id: 'ana',
    timezone: 'UTC',
    hours: {},
    irc: { account: 'ana', accounts: { libera: 'ana', oftc: 'ana_o' } },
  });
  assert.deepEqual(personRefOf(ana, 'oftc').irc, { nick: 'ana_o', account: 'ana_o' });
  assert.deepEqual(personRefOf(ana, 'libera').irc, { nick: 'ana', account: 'ana' });
  const withNick = makeContact({
    id: 'ana',
    timezone: 'UTC',
    hours: {},
    irc: { account: 'ana', nick: 'anna', accounts: { libera: 'ana', oftc: 'ana_o' } },
  });
  assert.equal(personRefOf(withNick, 'oftc').irc?.nick, 'anna');
});
