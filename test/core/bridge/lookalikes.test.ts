import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lookalikes } from '../../../src/core/bridge/lookalikes.js';
import { Directory } from '../../../src/core/directory.js';
import { Groups } from '../../../src/core/groups.js';
import type { NetworkKind } from '../../../src/core/messages.js';
import { makeContact } from '../../support/builders.js';
import { ircUser } from '../../support/fake-network.js';

const kinds = new Map<string, NetworkKind>([
  ['libera', 'irc'],
  ['oftc', 'irc'],
]);
const noneSeen = { observe: () => undefined, rooms: () => [] };

test('an IRC nick like any of a contact’s accounts by network is marked when its user is not the contact', () => {
  const ana = makeContact({
    id: 'ana',
    timezone: 'UTC',
    hours: {},
    irc: { account: 'ana', accounts: { libera: 'ana', oftc: 'ana_o' } },
  });
  const lookalikes = new Lookalikes(new Directory([ana], [], kinds), new Groups([]), noneSeen);
  const oftc = { network: 'oftc', id: '#ops', direct: false };
  // On oftc Ana is ana_o: an unidentified ana_o there read on Matrix as her.
  assert.equal(lookalikes.marked(oftc, ircUser('ana_o'), 'ana_o'), 'ana_o (not identified)');
  assert.equal(lookalikes.marked(oftc, ircUser('ana_o', 'ana_o'), 'ana_o'), 'ana_o');
  assert.equal(lookalikes.marked(oftc, ircUser('bob', 'bob'), 'bob'), 'bob');
});
