import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConfig } from '../../src/config/check.js';
import { CONTACTS, DIR, FIREBELL, WHITELIST, memoryReader } from './fixture.js';

function check(files: { firebell?: string; contacts?: string; whitelist?: string }) {
  const readFile = memoryReader({
    'cfg/firebell.yaml': files.firebell ?? FIREBELL,
    'cfg/contacts.yaml': files.contacts ?? CONTACTS,
    'whitelist.yaml': files.whitelist ?? WHITELIST,
  });
  return checkConfig({ dir: DIR, env: {}, readFile });
}

/** The fixture runs the shell network, which production cannot (issue 13, item 2): check says so. */
const SHELL_WARNING =
  'cfg/firebell.yaml:7:3: warning: networks.shell.enabled: the shell network is on: it reads the terminal firebell runs in, and without one (systemd, a container) firebell refuses to start, since the shell is its only network. Set enabled: false for production';

test('a good configuration gives a one-line summary', () => {
  assert.deepEqual(check({}), {
    ok: true,
    lines: [SHELL_WARNING, 'config OK: 1 contact (1 tier), 1 whitelisted, 1 group, 1 policy'],
  });
});

test('warnings come before the summary and say they are warnings', () => {
  assert.deepEqual(check({ contacts: CONTACTS.replace('    tier: 1\n', '') }), {
    ok: true,
    lines: [
      'cfg/contacts.yaml:1:1: warning: contacts: no contact has a tier, so incidents will page nobody',
      SHELL_WARNING,
      'config OK: 1 contact (0 tiers), 1 whitelisted, 1 group, 1 policy',
    ],
  });
});

test('a bad configuration gives every problem, then the warnings, and is not ok', () => {
  const contacts = `${CONTACTS}  - id: bob
    name: Bob
    timezone: Europe/London
    hours:
      weekends: '10:00-14:00'
    tier: 5
`;
  assert.deepEqual(check({ contacts, whitelist: 'whitelist: []\n' }), {
    ok: false,
    lines: [
      'cfg/contacts.yaml:16:5: contacts[1].tier: tier 5 is in no escalation policy (the policies page tier 1), so Bob would never be paged',
      'whitelist.yaml:1:1: warning: whitelist: the whitelist is empty, so nobody can post #status updates',
    ],
  });
});
