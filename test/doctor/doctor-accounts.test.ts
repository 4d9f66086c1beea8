/** What `firebell doctor` looks up on each IRC network: only the accounts people have there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ircAccounts } from '../../src/doctor/doctor.js';
import { contacts } from '../support/config-fixture.js';

test('each network is asked about the accounts people have on it, not those of another network', () => {
  const ana = contacts[0]!;
  const config = {
    contacts: [{ ...ana, irc: { account: 'ana', accounts: { oftc: 'ana', libera: 'ana_l' } } }],
    whitelist: [{ name: 'Sol', irc: { account: 'solfm', accounts: { libera: 'solfm' } } }],
  };
  assert.deepEqual(
    ircAccounts(config, 'oftc').map(({ account }) => account),
    ['ana'],
  );
  assert.deepEqual(
    ircAccounts(config, 'libera').map(({ account }) => account),
    ['ana_l', 'solfm'],
  );
});
