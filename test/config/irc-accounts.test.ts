/**
 * Services accounts belong to one IRC network (OFTC's `alice` is not Libera's): with two IRC networks a
 * contact's or whitelisted person's account says which network it is on, and only there does it count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory } from '../../src/core/directory.js';
import type { Sender } from '../../src/core/messages.js';
import { CONTACTS, FIREBELL, WHITELIST, load, problems } from './fixture.js';

const TWO_NETWORKS = FIREBELL.replace(
  'networks:\n  shell: {}\n',
  `networks:
  shell: {}
  irc:
    - { id: oftc, host: irc.oftc.net, nick: firebell }
    - { id: libera, host: irc.libera.chat, nick: firebell }
`,
);
const ONE_NETWORK = FIREBELL.replace(
  'networks:\n  shell: {}\n',
  'networks:\n  shell: {}\n  irc:\n    - { id: oftc, host: irc.oftc.net, nick: firebell }\n',
);
const withIrc = (irc: string): string =>
  CONTACTS.replace('    irc:\n      account: alice\n', `    irc: ${irc}\n`);
const SOL = (irc: string): string => `${WHITELIST}  - name: Sol\n    irc: ${irc}\n`;

const verified = (account: string): Sender => ({
  id: account,
  name: account,
  account,
  verification: 'services',
});

function directoryOf(firebell: string, contacts: string, whitelist = WHITELIST): Directory {
  const result = load({ firebell, contacts, whitelist });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const kinds = new Map(result.config.networks.irc.map((network) => [network.id, 'irc' as const]));
  return new Directory(result.config.contacts, result.config.whitelist, kinds);
}

test('with two IRC networks, an account that does not say its network is refused at its line', () => {
  assert.deepEqual(problems({ firebell: TWO_NETWORKS, whitelist: SOL('{ account: solfm }') }), [
    'cfg/contacts.yaml:5:7: contacts[0].irc.account: with 2 IRC networks (oftc, libera), say which one this account is on, as in accounts: { oftc: alice }: services accounts belong to one network, and the same name on another may be someone else, who would pass as this person there',
    'whitelist.yaml:4:12: whitelist[1].irc.account: with 2 IRC networks (oftc, libera), say which one this account is on, as in accounts: { oftc: solfm }: services accounts belong to one network, and the same name on another may be someone else, who would pass as this person there',
  ]);
});

test('an account on one network is not trusted on the other, where someone else may hold the name', () => {
  const directory = directoryOf(
    TWO_NETWORKS,
    withIrc('{ accounts: { oftc: alice } }'),
    SOL('{ accounts: { libera: solfm } }'),
  );
  assert.equal(directory.contactOf('oftc', verified('alice'))?.id, 'alice');
  assert.equal(directory.contactOf('libera', verified('alice')), undefined, "Libera's alice is not OFTC's");
  assert.equal(directory.isWhitelisted('libera', verified('alice')), false);
  assert.equal(directory.isWhitelisted('libera', verified('solfm')), true);
  assert.equal(directory.isWhitelisted('oftc', verified('solfm')), false);
  assert.equal(directory.findContact('alice')?.id, 'alice', '!assign still finds her by her account');
});

test('different accounts on different networks are one person', () => {
  const directory = directoryOf(
    TWO_NETWORKS,
    withIrc('{ accounts: { oftc: alice, libera: alice_x }, nick: al }'),
  );
  assert.equal(directory.contactOf('libera', verified('alice_x'))?.id, 'alice');
  assert.equal(directory.contactOf('oftc', verified('alice_x')), undefined);
  assert.equal(directory.contactOf('oftc', verified('ALICE'))?.id, 'alice', 'IRC casemapping still applies');
});

test('a whitelisted person is the contact only where their accounts are on the same network', () => {
  const whitelist = `whitelist:\n  - name: Other Alice\n    irc: { accounts: { libera: alice } }\n`;
  const result = load({
    firebell: TWO_NETWORKS,
    contacts: withIrc('{ accounts: { oftc: alice } }'),
    whitelist,
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.equal(result.config.whitelist[0]?.contactId, undefined);
  const same = load({
    firebell: TWO_NETWORKS,
    contacts: withIrc('{ accounts: { libera: alice } }'),
    whitelist,
  });
  assert.equal(same.ok && same.config.whitelist[0]?.contactId, 'alice');
});

test('with one IRC network, account alone still works, on that network', () => {
  const directory = directoryOf(ONE_NETWORK, CONTACTS);
  assert.equal(directory.contactOf('oftc', verified('alice'))?.id, 'alice');
});

test('accounts must name IRC networks that exist, and account and accounts do not go together', () => {
  assert.deepEqual(problems({ firebell: TWO_NETWORKS, contacts: withIrc('{ accounts: { ofct: alice } }') }), [
    'cfg/contacts.yaml:4:24: contacts[0].irc.accounts.ofct: unknown IRC network "ofct" (did you mean "oftc"?)',
  ]);
  assert.deepEqual(
    problems({ firebell: ONE_NETWORK, contacts: withIrc('{ account: alice, accounts: { oftc: alice } }') }),
    [
      'cfg/contacts.yaml:4:28: contacts[0].irc.accounts: give account (one IRC network) or accounts (by network), not both',
    ],
  );
  assert.deepEqual(problems({ firebell: ONE_NETWORK, contacts: withIrc('{ nick: alice }') }), [
    'cfg/contacts.yaml:4:5: contacts[0].irc: irc needs the services account, as in irc: { account: alice }, or by network, as in irc: { accounts: { oftc: alice } }: a nick is not an identity (anyone can take a nick)',
  ]);
  assert.deepEqual(problems({ firebell: ONE_NETWORK, contacts: withIrc('{ accounts: {} }') }), [
    'cfg/contacts.yaml:4:12: contacts[0].irc.accounts: expected at least one network and its account, such as accounts: { oftc: alice }, got a mapping',
  ]);
});

test('an account is one person per network: the same name on two networks may be two contacts', () => {
  const contacts = `${withIrc('{ accounts: { oftc: alice } }')}  - id: alicia
    name: Alicia Other
    irc: { accounts: { libera: alice } }
    timezone: Europe/Berlin
    hours:
      mon-fri: '09:00-17:00'
`;
  assert.ok(load({ firebell: TWO_NETWORKS, contacts }).ok);
  const clash = contacts.replace('accounts: { libera: alice }', 'accounts: { oftc: Alice }');
  assert.deepEqual(problems({ firebell: TWO_NETWORKS, contacts: clash }), [
    'cfg/contacts.yaml:12:24: contacts[1].irc.accounts.oftc: duplicate IRC account on oftc "Alice" (first used by contacts[0] on line 4)',
  ]);
});
