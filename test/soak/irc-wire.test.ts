/**
 * From the IRC soak's record to the checker's input: the demands an incident's policy makes (announcement,
 * each tier counted from the tier before it as the store says it fired, exhaustion, prompt, in both
 * channels of its group), the fault each is attributed to, lines recognised through IRC formatting, and
 * the seeded fault plan (same seed, same plan; at least 100 SIGKILLs in the full run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check } from '../../soak/checker.js';
import { FULL_FAULTS, isSigkill, planFaults, QUICK_FAULTS } from '../../soak/fault-plan.js';
import { GROUPS } from '../../soak/soak-config.js';
import { demandsOf, faultAt, type StoredIncident } from '../../soak/demands.js';
import { wireOf } from '../../soak/irc-wire.js';
import { Random } from '../../soak/random.js';

const infra = GROUPS.find((group) => group.id === 'infra')!;

const incident: StoredIncident = {
  id: 4,
  group: 'infra',
  detectedAt: 100_000,
  announcedAt: 100_050,
  // Tier 1 fired late (a restart), at 120_000: tier 2 counts from there.
  pagedAt: new Map([[1, 120_000]]),
};

test('demands follow the policy, each tier from when the one before it fired', () => {
  const demands = demandsOf([incident], GROUPS, [{ fault: 'sigkill-at-due', from: 119_000, to: 121_000 }]);
  const due = (id: string): number | undefined => demands.find((demand) => demand.id === id)?.dueAt;
  const [t1, t2, t3] = infra.policy.tiers.map((tier) => tier.afterMinutes * 60_000);
  assert.equal(due('#4/announce #infra'), 100_000);
  assert.equal(due('#4/announce #infra-ops'), 100_000);
  assert.equal(due('#4/tier1 #infra'), 100_050 + t1!);
  assert.equal(due('#4/tier2 #infra'), 120_000 + t2!);
  // Tier 2 never fired in the store: tier 3 counts from its due time.
  assert.equal(due('#4/tier3 #infra-ops'), 120_000 + t2! + t3!);
  assert.equal(due('#4/exhausted #infra'), 120_000 + t2! + t3! + infra.policy.exhaustedAfterMinutes * 60_000);
  assert.equal(due('#4/prompt #infra'), 100_050 + infra.policy.promptAfterMinutes * 60_000);
  // In both IRC channels and the Matrix room.
  assert.equal(demands.length, 3 * (infra.policy.tiers.length + 3));
  assert.equal(due('#4/tier1 #infra:soak.test'), 100_050 + t1!);
  assert.equal(demands.find((demand) => demand.id === '#4/tier1 #infra:soak.test')?.network, 'matrix');
  assert.equal(demands.find((demand) => demand.id === '#4/tier2 #infra')?.fault, 'none');
  assert.equal(faultAt(120_000, [{ fault: 'sigkill-at-due', from: 119_000, to: 121_000 }]), 'sigkill-at-due');
  assert.equal(faultAt(118_500, [{ fault: 'sigkill-at-due', from: 119_000, to: 121_000 }]), 'sigkill-at-due');
});

test('tapped lines are recognised through formatting codes; others are replies', () => {
  const raw = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
  const wire = wireOf(
    [
      { at: 1, connection: 1, raw: raw('NOTICE #infra :Incident \x02#4\x0f declared by reporter: x — take') },
      {
        at: 2,
        connection: 1,
        raw: raw('NOTICE #infra-ops :bob: paging you (tier 2) for incident \x02#4\x0f: x'),
      },
      { at: 3, connection: 1, raw: raw('NOTICE #infra :Nobody has acknowledged incident \x02#4\x0f (x)') },
      {
        at: 4,
        connection: 1,
        raw: raw(
          'NOTICE #infra :alice: incident \x02#4\x0f has been open 9 s and no status update was posted.',
        ),
      },
      { at: 5, connection: 1, raw: raw('PRIVMSG #infra-ops :<m\u200ballory> fz3 tail') },
      { at: 6, connection: 1, raw: 'JOIN #infra' },
      { at: 7, connection: 1, raw: raw('NOTICE #web :Incident \x02#9\x0f declared by reporter: y') },
    ],
    new Set(['#9/announce #web']),
  );
  assert.deepEqual(
    wire.map((line) => line.demandId ?? (line.reply ? 'reply' : 'unknown')),
    [
      '#4/announce #infra',
      '#4/tier2 #infra-ops',
      '#4/exhausted #infra',
      '#4/prompt #infra',
      'reply',
      'reply',
    ],
  );
  assert.equal(wire[4]?.text, 'PRIVMSG #infra-ops :<m\u200ballory> fz3 tail');
});

test('a page for a tier the policy never asked for is an unasked send', () => {
  const demands = demandsOf([incident], GROUPS, []);
  const wire = wireOf([
    {
      at: 130_000,
      connection: 2,
      raw: 'NOTICE #infra :dave: paging you (tier 7) for incident \x02#4\x0f: x',
    },
  ]);
  const report = check({ demands, wire, lateAfterMs: { announcement: 1, page: 1, prompt: 1 } });
  assert.ok(report.violations.some((violation) => violation.promise === 'sent but no policy asked'));
});

test("the fault plan is the seed's: same seed, same plan; the full run has at least 100 SIGKILLs", () => {
  const plan = planFaults(new Random(7), QUICK_FAULTS, 2);
  assert.deepEqual(planFaults(new Random(7), QUICK_FAULTS, 2), plan);
  assert.notDeepEqual(planFaults(new Random(8), QUICK_FAULTS, 2), plan);
  const full = planFaults(new Random(20261206), FULL_FAULTS, 2);
  assert.ok(full.filter((step) => isSigkill(step.kind)).length >= 100);
  assert.equal(
    full.filter((step) => step.kind === 'irc-server-stall').length,
    FULL_FAULTS['irc-server-stall'],
  );
});
