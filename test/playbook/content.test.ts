/** What the play book says for configurations other than the golden one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Config, Contact } from '../../src/config/config.js';
import type { EscalationPolicy } from '../../machines/incident-types.js';
import { renderPlaybook } from '../../src/playbook/render.js';
import { PLAYBOOK_GENERATED_AT, playbookConfig } from '../fixtures/playbook-config.js';
import { hours } from '../support/builders.js';

const markdown = (config: Config): string =>
  renderPlaybook(config, { format: 'markdown', generatedAt: PLAYBOOK_GENERATED_AT });

function withPolicy(changes: Partial<EscalationPolicy>): Config {
  const base = playbookConfig();
  const policy = base.policies.default;
  if (!policy) throw new Error('fixture has no default policy');
  return { ...base, policies: { default: { ...policy, ...changes } } };
}

/** The numbered steps and the notes of the default policy. */
function escalationLines(page: string): string[] {
  const start = page.indexOf('### Policy `default`');
  const end = page.indexOf('## Commands');
  return page
    .slice(start, end)
    .split('\n')
    .filter((line) => /^(\d+\.|-) /.test(line));
}

test('escalation in plain words: keep paging, never repeat, skip a sleeping tier, no reminders', () => {
  const lines = escalationLines(
    markdown(
      withPolicy({
        repeat: 0,
        whenExhausted: { action: 'keep-paging-last-tier', afterMinutes: 15 },
        nobodyAwake: 'next-tier',
        ackTimeoutMinutes: null,
        statusReminder: null,
      }),
    ),
  );
  assert.deepEqual(lines, [
    '1. When an incident is declared, firebell announces it at once in its channels and rooms.',
    '2. If nobody acknowledges within 5 minutes of the announcement, firebell pages tier 1 (Jeremy, Frida and Ian), those of them who are inside their working hours.',
    '3. If nobody acknowledges within another 10 minutes, firebell pages tier 2 (Lena and Asha), those of them who are inside their working hours.',
    '4. If nobody has acknowledged 15 minutes after the last page, firebell says so in the channel and keeps paging tier 2 every 15 minutes until someone does.',
    '- When nobody in a tier is inside their working hours, firebell skips that tier and moves on to the next one at once.',
    '- A tier in which nobody can be paged never holds things up: firebell moves on at once.',
    '- `!ack` stops the paging. `!unack` gives the incident back, and escalation starts again from the first tier.',
  ]);
});

test('escalation: repeats, whole-tier, and a tier nobody belongs to', () => {
  const lines = escalationLines(
    markdown(
      withPolicy({
        tiers: [
          { tier: 1, afterMinutes: 5 },
          { tier: 3, afterMinutes: 1 },
          { tier: 2, afterMinutes: 10 },
        ],
        repeat: 3,
        nobodyAwake: 'whole-tier',
      }),
    ),
  );
  assert.equal(
    lines[2],
    '3. Tier 3 has nobody firebell can page, so it is skipped at once, without waiting.',
  );
  assert.equal(
    lines[4],
    '5. Still nobody? firebell goes through the tiers 3 more times with the same waits, paging tier 1 again 5 minutes after the last page.',
  );
  assert.equal(
    lines[5],
    '6. If nobody has acknowledged 30 minutes after the last page, firebell stops paging and says so in the channel (at the latest 94 minutes after the announcement).',
  );
  assert.equal(
    lines[6],
    '- When nobody in a tier is inside their working hours, firebell pages the whole tier anyway.',
  );
});

test('the whitelist without a link names the file; an empty one says nobody can post', () => {
  const base = playbookConfig();
  const { whitelistUrl: _dropped, ...bot } = base.bot;
  const page = markdown({ ...base, bot, whitelist: [] });
  assert.ok(page.includes('Nobody is on the whitelist yet, so nobody can post a status.'));
  assert.ok(page.includes('The list is `whitelist.yaml` in git.'));
});

test('external statusbot mode names the other bot', () => {
  const base = playbookConfig();
  const page = markdown({
    ...base,
    statusbot: { mode: 'external', externalBots: [{ network: 'oftc', nick: 'opendevstatus' }] },
  });
  assert.ok(
    page.includes(
      'Status updates are carried by another statusbot (`opendevstatus` on oftc), which keeps its own copy of this list',
    ),
  );
  assert.ok(page.includes('post `#status alert <what people see>` (the other statusbot carries it)'));
});

test('several groups: each with its channels; a restricted declare permission is stated', () => {
  const base = playbookConfig();
  const zuul = {
    id: 'zuul',
    name: 'Zuul',
    members: [{ network: 'oftc', conversation: '#zuul', topic: true, status: false }],
    relay: true,
    relayJoinsAndParts: false,
  };
  const page = markdown({
    ...base,
    groups: [...base.groups, zuul],
    incidents: { ...base.incidents, permissions: { ...base.incidents.permissions, declare: 'verified' } },
  });
  assert.ok(page.startsWith('# Incident play book\n'));
  assert.ok(page.includes('- Zuul: `#zuul` on IRC (irc.oftc.net)'));
  assert.ok(
    page.includes('This is open to anyone identified: logged in to services on IRC, or any Matrix user.'),
  );
  assert.ok(
    !page.includes('- `#zuul` on IRC'),
    'a channel that opted out of status fan-out is not listed as reached',
  );
});

test('nobody on call: the coverage section says so instead of drawing gaps', () => {
  const base = playbookConfig();
  const page = markdown({ ...base, contacts: base.contacts.map(({ tier: _tier, ...contact }) => contact) });
  assert.ok(page.includes('**Nobody is on call:** no contact has a tier and a handle to page them by.'));
});

test('right now: someone on around the clock is not "awake until 00:00", and an end days away names its day', () => {
  const always: Contact = {
    id: 'noor',
    name: 'Noor',
    irc: { account: 'noor' },
    timezone: 'Europe/Berlin',
    hours: hours({ daily: '00:00-24:00' }),
    roles: [],
    tier: 1,
    reach: 'both',
  };
  const weekdays: Contact = {
    ...always,
    id: 'wim',
    name: 'Wim',
    irc: { account: 'wim' },
    hours: hours({ 'mon-fri': '00:00-24:00' }),
  };
  // A Thursday, 11:30 in Berlin.
  const page = markdown(playbookConfig([always, weekdays]));
  assert.match(page, /\*\*Noor\*\* \(awake, 11:30 in Europe\/Berlin, around the clock\)/);
  assert.match(page, /\*\*Wim\*\* \(awake, 11:30 in Europe\/Berlin, until 00:00 Sat\)/);
});

test('accounts by network are shown with their networks, in the contacts and the whitelist', () => {
  const base = playbookConfig();
  const noor: Contact = {
    id: 'noor',
    name: 'Noor',
    irc: { account: 'noor', nick: 'nr', accounts: { oftc: 'noor', libera: 'noor_l' } },
    timezone: 'Europe/Berlin',
    hours: hours({ daily: '00:00-24:00' }),
    roles: [],
    tier: 1,
    reach: 'both',
  };
  const page = markdown({
    ...playbookConfig([noor]),
    whitelist: [{ name: 'Sol', irc: { account: 'solfm', accounts: { libera: 'solfm' } } }],
    bot: base.bot,
  });
  assert.ok(page.includes('IRC `nr` (accounts `noor` on oftc, `noor_l` on libera)'), page);
  assert.match(page, /\| Sol \| account `solfm` on libera \|/);
});
