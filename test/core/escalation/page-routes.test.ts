import { test } from 'node:test';
import assert from 'node:assert/strict';
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
