import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTier } from '../../../src/core/escalation/recipients.js';
import type { TierResolution } from '../../../src/core/escalation/recipients.js';
import { at, makeContact } from '../../support/builders.js';
import { ana, dev, frida } from './team.js';

// Lord Howe 15:30 (+11 in March) is the same instant as Kolkata 10:00: a tie with dev.
const lh = makeContact({
  id: 'lh',
  timezone: 'Australia/Lord_Howe',
  hours: { 'mon-fri': '15:30-23:00' },
  tier: 2,
});
const devTwo = { ...dev, tier: 2 };
const tierOne = [ana, dev, frida];

const summary = (resolution: TierResolution) => ({
  recipients: resolution.recipients.map((contact) => contact.id),
  reason: resolution.reason,
  nextAwake: resolution.nextAwake
    ? { contact: resolution.nextAwake.contact.id, at: new Date(resolution.nextAwake.at).toISOString() }
    : undefined,
});

const WED_AFTERNOON_UTC = at('2025-03-12T15:00:00Z'); // Chicago 10:00, Kolkata 20:30, Berlin 16:00
const WED_NIGHT_UTC = at('2025-03-12T23:00:00Z'); // Chicago 18:00, Kolkata Thu 04:30, Berlin Thu 00:00

test('only the awake members of a tier are paged, whatever the rule', () => {
  for (const rule of ['soonest', 'whole-tier', 'next-tier'] as const) {
    const resolution = resolveTier({ contacts: tierOne, tier: 1, at: WED_AFTERNOON_UTC, rule });
    assert.deepEqual(
      summary(resolution),
      { recipients: ['ana'], reason: 'awake', nextAwake: undefined },
      rule,
    );
  }
});

test('nobody awake, soonest: whoever starts first (Kolkata 10:00 = 04:30Z)', () => {
  const resolution = resolveTier({ contacts: tierOne, tier: 1, at: WED_NIGHT_UTC, rule: 'soonest' });
  assert.deepEqual(summary(resolution), {
    recipients: ['dev'],
    reason: 'soonest',
    nextAwake: { contact: 'dev', at: '2025-03-13T04:30:00.000Z' },
  });
});

test('nobody awake, soonest, tie: everyone who starts at that instant', () => {
  const resolution = resolveTier({
    contacts: [ana, devTwo, lh],
    tier: 2,
    at: WED_NIGHT_UTC,
    rule: 'soonest',
  });
  assert.deepEqual(summary(resolution), {
    recipients: ['dev', 'lh'],
    reason: 'soonest',
    nextAwake: { contact: 'dev', at: '2025-03-13T04:30:00.000Z' },
  });
});

test('nobody awake, whole-tier: the whole tier, in config order', () => {
  const resolution = resolveTier({ contacts: tierOne, tier: 1, at: WED_NIGHT_UTC, rule: 'whole-tier' });
  assert.deepEqual(summary(resolution), {
    recipients: ['ana', 'dev', 'frida'],
    reason: 'whole-tier',
    nextAwake: { contact: 'dev', at: '2025-03-13T04:30:00.000Z' },
  });
});

test('nobody awake, next-tier: nobody in this tier', () => {
  const resolution = resolveTier({ contacts: tierOne, tier: 1, at: WED_NIGHT_UTC, rule: 'next-tier' });
  assert.deepEqual(summary(resolution), {
    recipients: [],
    reason: 'next-tier',
    nextAwake: { contact: 'dev', at: '2025-03-13T04:30:00.000Z' },
  });
});

test('nobody awake over the weekend: soonest is Monday morning in the earliest zone', () => {
  const saturday = at('2025-03-15T12:00:00Z');
  const resolution = resolveTier({ contacts: tierOne, tier: 1, at: saturday, rule: 'soonest' });
  assert.deepEqual(summary(resolution), {
    recipients: ['dev'],
    reason: 'soonest',
    nextAwake: { contact: 'dev', at: '2025-03-17T04:30:00.000Z' },
  });
});

test('a tier with no contacts, or none with a handle, is empty for every rule', () => {
  const ghost = makeContact({
    id: 'ghost',
    timezone: 'UTC',
    hours: { daily: '00:00-24:00' },
    tier: 3,
    noHandles: true,
    email: 'ghost@example.org',
  });
  for (const rule of ['soonest', 'whole-tier', 'next-tier'] as const) {
    for (const tier of [3, 4]) {
      const resolution = resolveTier({ contacts: [...tierOne, ghost], tier, at: WED_NIGHT_UTC, rule });
      assert.deepEqual(
        summary(resolution),
        { recipients: [], reason: 'empty-tier', nextAwake: undefined },
        `${rule} ${tier}`,
      );
    }
  }
});

test('an awake contact without a handle does not count as awake', () => {
  const ghost = makeContact({
    id: 'ghost',
    timezone: 'UTC',
    hours: { daily: '00:00-24:00' },
    tier: 1,
    noHandles: true,
  });
  const resolution = resolveTier({
    contacts: [ghost, ...tierOne],
    tier: 1,
    at: WED_NIGHT_UTC,
    rule: 'soonest',
  });
  assert.deepEqual(summary(resolution).recipients, ['dev']);
});

test('soonest, when nobody in the tier has any hours, pages the whole tier rather than nobody', () => {
  const idle = makeContact({ id: 'idle', timezone: 'UTC', hours: {}, tier: 1 });
  const idle2 = makeContact({ id: 'idle2', timezone: 'Asia/Kolkata', hours: {}, tier: 1 });
  const resolution = resolveTier({ contacts: [idle, idle2], tier: 1, at: WED_NIGHT_UTC, rule: 'soonest' });
  assert.deepEqual(summary(resolution), {
    recipients: ['idle', 'idle2'],
    reason: 'whole-tier',
    nextAwake: undefined,
  });
});

test('soonest across a DST change: Adelaide ties with Kolkata only once it has left daylight saving', () => {
  const adelaide = makeContact({
    id: 'adl',
    timezone: 'Australia/Adelaide',
    hours: { 'mon-fri': '14:00-22:00' },
    tier: 1,
  });
  const kolkata = makeContact({
    id: 'kol',
    timezone: 'Asia/Kolkata',
    hours: { 'mon-fri': '10:00-18:30' },
    tier: 1,
  });
  const contacts = [adelaide, kolkata];
  // Before 2025-04-06 Adelaide is +10:30: Monday 14:00 is 03:30Z, an hour before Kolkata's 10:00 (04:30Z).
  assert.deepEqual(
    summary(resolveTier({ contacts, tier: 1, at: at('2025-03-29T12:00:00Z'), rule: 'soonest' })),
    {
      recipients: ['adl'],
      reason: 'soonest',
      nextAwake: { contact: 'adl', at: '2025-03-31T03:30:00.000Z' },
    },
  );
  // After it, +09:30: Monday 14:00 is 04:30Z, the same instant as Kolkata's 10:00.
  assert.deepEqual(
    summary(resolveTier({ contacts, tier: 1, at: at('2025-04-05T12:00:00Z'), rule: 'soonest' })),
    {
      recipients: ['adl', 'kol'],
      reason: 'soonest',
      nextAwake: { contact: 'adl', at: '2025-04-07T04:30:00.000Z' },
    },
  );
});
