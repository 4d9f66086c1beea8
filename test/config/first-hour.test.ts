/** What `firebell check` says about the mistakes a new user makes in the first hour (issue 13, items 7, 9, 13). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfig } from '../../src/config/check.js';
import { loadConfig } from '../../src/config/load.js';
import { CONTACTS, DIR, FIREBELL, WHITELIST, memoryReader, problems } from './fixture.js';

test('one mistake, one message: a tier that is not a number does not also make every contact unpaged', () => {
  assert.deepEqual(problems({ firebell: FIREBELL.replace('- tier: 1', '- tier: one') }), [
    'cfg/firebell.yaml:18:11: escalation.policies.default.tiers[0].tier: expected a number, got "one"',
  ]);
});

test('one mistake, one message: a typo in a network key does not also make its channels unknown', () => {
  assert.deepEqual(problems({ firebell: FIREBELL.replace('  shell: {}', '  shel: {}') }), [
    'cfg/firebell.yaml:7:3: networks.shel: unknown key "shel" (did you mean "shell"?)',
  ]);
});

test('an unquoted channel name is a YAML comment, and the message says so', () => {
  assert.deepEqual(problems({ firebell: FIREBELL.replace("channel: '#ops'", 'channel: #ops') }), [
    "cfg/firebell.yaml:12:9: groups[0].members[0].channel: expected a string, got an empty value: in YAML an unquoted # starts a comment, so quote it: '#ops'",
  ]);
});

test('timezone names are case-sensitive, with the right spelling suggested', () => {
  assert.deepEqual(problems({ contacts: CONTACTS.replace('Europe/Berlin', 'europe/berlin') }), [
    'cfg/contacts.yaml:7:5: contacts[0].timezone: timezone names are case-sensitive: write "Europe/Berlin", not "europe/berlin"',
  ]);
  assert.deepEqual(problems({ contacts: CONTACTS.replace('Europe/Berlin', 'asia/kolkata') }), [
    'cfg/contacts.yaml:7:5: contacts[0].timezone: timezone names are case-sensitive: write "Asia/Kolkata", not "asia/kolkata"',
  ]);
  assert.deepEqual(problems({ contacts: CONTACTS.replace('Europe/Berlin', 'utc') }), [
    'cfg/contacts.yaml:7:5: contacts[0].timezone: timezone names are case-sensitive: write "UTC", not "utc"',
  ]);
});

test('a contact with no working hours (never awake) is refused', () => {
  const contacts = CONTACTS.replace("    hours:\n      mon-fri: '09:00-17:00'\n", '    hours: {}\n');
  assert.deepEqual(problems({ contacts }), [
    "cfg/contacts.yaml:8:5: contacts[0].hours: no working hours at all, so this person is never awake: give their hours, such as mon-fri: '09:00-17:00', or daily: '00:00-24:00' for always",
  ]);
});

test('a person on the whitelist twice is refused, by contact or by account', () => {
  assert.deepEqual(problems({ whitelist: `${WHITELIST}  - contact: alice\n` }), [
    'whitelist.yaml:3:5: whitelist[1]: alice is already on the whitelist (whitelist[0] on line 2): list each person once, or removing one entry would leave them able to post',
  ]);
  assert.deepEqual(
    problems({ whitelist: `${WHITELIST}  - name: Alice again\n    irc:\n      account: ALICE\n` }),
    [
      'whitelist.yaml:3:5: whitelist[1]: Alice again is already on the whitelist (whitelist[0] on line 2): list each person once, or removing one entry would leave them able to post',
    ],
  );
});

const WITH_IRC = FIREBELL.replace(
  'networks:\n  shell: {}\n',
  `networks:
  shell: {}
  irc:
    - id: oftc
      host: \${IRC_HOST}
      nick: firebell
      nickservPassword: \${OFTC_NICKSERV_PASSWORD}
`,
);

function checkWith(env: Record<string, string>) {
  const readFile = memoryReader({
    'cfg/firebell.yaml': WITH_IRC,
    'cfg/contacts.yaml': CONTACTS,
    'whitelist.yaml': WHITELIST,
  });
  return { check: checkConfig({ dir: DIR, env, readFile }), run: loadConfig({ dir: DIR, env, readFile }) };
}

test('check works without production secrets: an unset password is a warning; run still refuses', () => {
  const { check, run } = checkWith({ IRC_HOST: 'irc.oftc.net' });
  assert.equal(check.ok, true, check.lines.join('\n'));
  assert.equal(
    check.lines[0],
    'cfg/firebell.yaml:12:7: warning: networks.irc[0].nickservPassword: environment variable OFTC_NICKSERV_PASSWORD is not set: fine for this tool, but firebell run and doctor need it',
  );
  assert.equal(run.ok, false);
  if (!run.ok) assert.match(run.problems[0]?.message ?? '', /OFTC_NICKSERV_PASSWORD is not set$/);
});

test('a variable whose value matters (a host name) stays an error for check', () => {
  const { check } = checkWith({ OFTC_NICKSERV_PASSWORD: 'x'.repeat(12) });
  assert.equal(check.ok, false);
  assert.equal(
    check.lines[0],
    'cfg/firebell.yaml:10:7: networks.irc[0].host: environment variable IRC_HOST is not set',
  );
});
