import { test } from 'node:test';
import assert from 'node:assert/strict';
import { oncallAnswer } from '../../../src/core/escalation/oncall.js';
import { mentionedPeople, toPlainText } from '../../../src/core/rich-text.js';
import type { EscalationPolicy } from '../../../machines/incident-types.js';
import { at, makeContact, makePolicy } from '../../support/builders.js';
import { ana, dev, frida as tierOneFrida } from './team.js';

const frida = { ...tierOneFrida, tier: 2 };
const sam = makeContact({
  id: 'sam',
  name: 'Sam',
  timezone: 'Europe/Paris',
  hours: { daily: '08:00-20:00' },
  tier: 2,
  noHandles: true,
});
const thierry = makeContact({
  id: 'ttx',
  name: 'Thierry',
  timezone: 'Europe/Paris',
  hours: { daily: '08:00-20:00' },
});

const policy = (nobodyAwake: EscalationPolicy['nobodyAwake'], tiers = [1, 2]): EscalationPolicy =>
  makePolicy({
    tiers: tiers.map((tier) => ({ tier, afterMinutes: 5 })),
    whenExhausted: { action: 'stop', afterMinutes: 30 },
    nobodyAwake,
  });

test('!oncall: tier by tier, local times, and what a page does where nobody is awake', () => {
  const answer = oncallAnswer({
    contacts: [ana, dev, frida, sam, thierry],
    at: at('2025-03-12T15:42:00Z'),
    policy: policy('soonest'),
  });
  assert.equal(
    toPlainText(answer),
    [
      'On call at Wed 2025-03-12 15:42 UTC:',
      'Tier 1: Ana (awake, 10:42 Wed, America/Chicago, until 17:00), Dev (asleep, 21:12 Wed, Asia/Kolkata, starts in 12 h 48 min)',
      'Tier 2: Frida (asleep, 16:42 Wed, Europe/Berlin, starts in 14 h 18 min), Sam (cannot be paged: no IRC or Matrix handle; 16:42 Wed, Europe/Paris) — nobody awake: a page goes to Frida, whose day starts soonest',
    ].join('\n'),
  );
  assert.deepEqual(mentionedPeople(answer), [], 'asking who is on call pings nobody');
});

test('!oncall when nobody at all is awake says so, with the first to start', () => {
  const contacts = [ana, dev, frida];
  const answer = (rule: EscalationPolicy['nobodyAwake']) =>
    toPlainText(oncallAnswer({ contacts, at: at('2025-03-15T12:00:00Z'), policy: policy(rule) })).split('\n');
  assert.deepEqual(answer('soonest'), [
    'On call at Sat 2025-03-15 12:00 UTC:',
    'Tier 1: Ana (asleep, 07:00 Sat, America/Chicago, starts in 2 d 2 h), Dev (asleep, 17:30 Sat, Asia/Kolkata, starts in 1 d 16 h) — nobody awake: a page goes to Dev, whose day starts soonest',
    'Tier 2: Frida (asleep, 13:00 Sat, Europe/Berlin, starts in 1 d 18 h) — nobody awake: a page goes to Frida, whose day starts soonest',
    'Nobody on call is awake right now. First to start: Dev, in 1 d 16 h (10:00 Mon Asia/Kolkata). Pages still go out as the policy says.',
  ]);
  assert.equal(
    answer('whole-tier')[1]?.endsWith('— nobody awake: a page goes to the whole tier anyway'),
    true,
  );
  assert.equal(answer('next-tier')[2]?.endsWith('— nobody awake: a page skips this tier'), true);
});

test('!oncall lists policy tiers nobody belongs to, and tiers without a policy in number order', () => {
  const lines = toPlainText(
    oncallAnswer({
      contacts: [frida, ana],
      at: at('2025-03-12T15:42:00Z'),
      policy: policy('soonest', [1, 3]),
    }),
  ).split('\n');
  assert.deepEqual(
    lines.map((line) => line.slice(0, 7)),
    ['On call', 'Tier 1:', 'Tier 3:', 'Tier 2:'],
  );
  assert.equal(lines[2], 'Tier 3: nobody; nobody here can be paged, so escalation skips this tier');
  const withoutPolicy = toPlainText(oncallAnswer({ contacts: [frida, ana], at: at('2025-03-12T15:42:00Z') }));
  assert.equal(
    withoutPolicy.split('\n')[2],
    'Tier 2: Frida (asleep, 16:42 Wed, Europe/Berlin, starts in 14 h 18 min)',
    'without a policy there is no consequence to state',
  );
});

test('!oncall with nobody pageable at all', () => {
  assert.equal(
    toPlainText(
      oncallAnswer({ contacts: [sam, thierry], at: at('2025-03-12T15:42:00Z'), policy: policy('soonest') }),
    ),
    'On call at Wed 2025-03-12 15:42 UTC:\nNobody can be paged: no contact in contacts.yaml has a tier and an IRC or Matrix handle.',
  );
});

test('!oncall: someone on around the clock is not "awake until 00:00", and an end days away names its day', () => {
  const always = makeContact({
    id: 'noor',
    timezone: 'Europe/Berlin',
    hours: { daily: '00:00-24:00' },
    tier: 1,
  });
  const weekdays = makeContact({
    id: 'wim',
    timezone: 'Europe/Berlin',
    hours: { 'mon-fri': '00:00-24:00' },
    tier: 1,
  });
  const lines = toPlainText(
    oncallAnswer({ contacts: [always, weekdays, ana], at: at('2025-03-12T15:42:00Z') }),
  ).split('\n');
  assert.equal(
    lines[1],
    'Tier 1: Noor (awake, 16:42 Wed, Europe/Berlin, around the clock), Wim (awake, 16:42 Wed, Europe/Berlin, until 00:00 Sat), Ana (awake, 10:42 Wed, America/Chicago, until 17:00)',
  );
});
