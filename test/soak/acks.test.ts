/**
 * Acknowledgements in the soak: once the store holds an incident's ack, its later tiers and exhaustion
 * notice are not demanded (a tier paged after it is sent but not asked for), what fired before it still
 * is, and the ack's confirmation is demanded in every place of the group, on Matrix exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackable } from '../../soak/acks.js';
import { check, formatReport, type Violation } from '../../soak/checker.js';
import { demandsOf, type StoredIncident } from '../../soak/demands.js';
import type { TappedLine } from '../../soak/irc-tap.js';
import { wireOf } from '../../soak/irc-wire.js';
import type { TappedEvent } from '../../soak/matrix-tap.js';
import { matrixWireOf } from '../../soak/matrix-wire.js';
import { GROUPS } from '../../soak/soak-config.js';

const LATE = { announcement: 5_000, page: 5_000, prompt: 5_000 };
const infra = GROUPS.find((group) => group.id === 'infra')!;
const [t1, t2] = infra.policy.tiers.map((tier) => tier.afterMinutes * 60_000);
const ROOM = '#infra:soak.test';
const PLACES = ['#infra', '#infra-ops'];

const ANNOUNCED = 100_050;
const TIER1 = ANNOUNCED + t1!;
// Acked after tier 1 fired, well before tier 2 is due.
const ACKED = TIER1 + 2_000;
const incident: StoredIncident = {
  id: 5,
  group: 'infra',
  detectedAt: 100_000,
  announcedAt: ANNOUNCED,
  pagedAt: new Map([[1, TIER1]]),
  remindedAt: ANNOUNCED + infra.policy.promptAfterMinutes * 60_000,
  ackedAt: ACKED,
};

const TEXTS = {
  announce: 'Incident \x02#5\x0f declared by reporter: sk5 gate down',
  tier1: 'alice: paging you (tier 1) for incident \x02#5\x0f: sk5 gate down',
  tier2: 'bob: paging you (tier 2) for incident \x02#5\x0f: sk5 gate down',
  ack: 'Incident \x02#5\x0f acknowledged by Alice after 8 s; paging stopped.',
  prompt: 'alice: incident \x02#5\x0f has been open 15 s and no status update was posted',
};
const plain = (text: string): string => text.replace(/[\x02\x0f]/g, '');

const ircLines = (at: number, text: string): TappedLine[] =>
  PLACES.map((place, index) => ({ at: at + index, connection: 1, raw: `NOTICE ${place} :${text}` }));
const event = (at: number, text: string, txnId: string): TappedEvent => ({
  type: 'event',
  at,
  roomId: '!infra',
  eventType: 'm.room.message',
  content: { msgtype: 'm.notice', body: plain(text) },
  txnId,
  eventId: `$${txnId}`,
});

/** Everything the acked incident demands, once in each place, on time. */
function delivered(): { lines: TappedLine[]; events: TappedEvent[] } {
  const at = { announce: 100_010, tier1: TIER1 + 10, ack: ACKED + 10, prompt: incident.remindedAt! + 10 };
  return {
    lines: Object.entries(at).flatMap(([what, when]) => ircLines(when, TEXTS[what as keyof typeof at])),
    events: Object.entries(at).map(([what, when]) =>
      event(when + 5, TEXTS[what as keyof typeof at], `fb.${what}`),
    ),
  };
}

function judge(
  lines: TappedLine[],
  events: TappedEvent[],
  stored: StoredIncident = incident,
): readonly Violation[] {
  const report = check({
    demands: demandsOf([stored], GROUPS, []),
    wire: [...wireOf(lines), ...matrixWireOf(events, () => ROOM)],
    lateAfterMs: LATE,
  });
  return report.violations;
}

test('after a committed ack no later tier nor exhaustion is demanded, and its confirmation is', () => {
  const ids = demandsOf([incident], GROUPS, []).map((demand) => demand.id);
  for (const place of [...PLACES, ROOM]) {
    assert.ok(ids.includes(`#5/tier1 ${place}`), 'tier 1 fired before the ack: still owed');
    assert.ok(ids.includes(`#5/ack ${place}`), 'the confirmation, in every place of the group');
    assert.ok(ids.includes(`#5/prompt ${place}`), 'the status prompt is not the escalation: still asked');
    assert.ok(!ids.some((id) => /^#5\/(tier2|tier3|exhausted) /.test(id)), 'nothing after the ack');
  }
  const { lines, events } = delivered();
  assert.deepEqual(judge(lines, events), []);
});

test('a tier paged after the ack, a confirmation twice on Matrix, and one never said are each reported', () => {
  const { lines, events } = delivered();
  const violations = judge(
    [...lines, ...ircLines(ANNOUNCED + t1! + t2! + 50, TEXTS.tier2)],
    // The confirmation posted twice in the room (two transaction ids): the Matrix rule is exactly once.
    [...events, event(ACKED + 900, TEXTS.ack, 'fb.ack-again')],
  );
  const said = violations.map(
    (violation) => `${violation.promise}: ${violation.detail.replace(/ at \d+/, '')}`,
  );
  assert.deepEqual(
    said.filter((line) => !line.startsWith('sent but')),
    [`duplicated: announcement #5/ack ${ROOM} on matrix sent 2 times (none)`],
  );
  assert.equal(said.filter((line) => line.startsWith('sent but no policy asked')).length, 2, said.join('\n'));
  assert.ok(said.every((line) => !line.startsWith('sent but') || line.includes('paging you (tier 2)')));

  // The confirmation never reached the room: lost.
  const noConfirmation = judge(
    lines,
    events.filter((e) => e.txnId !== 'fb.ack'),
  );
  assert.deepEqual(
    noConfirmation.map((violation) => `${violation.promise}: ${violation.detail}`),
    [`lost: announcement #5/ack ${ROOM} on matrix (none)`],
  );
});

test('a tier due well before the ack was committed is owed even when the store never paged it', () => {
  const skipped: StoredIncident = { ...incident, pagedAt: new Map() };
  const { lines, events } = delivered();
  const violations = judge(lines, events, skipped);
  // The tier 1 lines delivered above are still recognised as tier 1 (its demand stands), so nothing is lost.
  assert.deepEqual(violations, [], formatReport({ rows: [], violations, queuedBehind: [] }));
  const ids = demandsOf([skipped], GROUPS, []).map((demand) => demand.id);
  assert.ok(ids.includes('#5/tier1 #infra'));
});

test('ackable: an announced incident not acked yet, with a tier still more than half a second away', () => {
  const offsets = (): number[] => [t1!, t1! + t2!];
  const announced = new Map([
    [1, { group: infra, at: 0 }], // every tier past
    [2, { group: infra, at: 10_000 }], // tier 2 ahead
    [3, { group: infra, at: 10_000 }], // acked already
  ]);
  const now = t1! + 10_000 + 1_000;
  assert.deepEqual(ackable(announced, new Set([3]), offsets, now), [2]);
  assert.deepEqual(ackable(announced, new Set([2, 3]), offsets, now), []);
  assert.deepEqual(ackable(announced, new Set(), offsets, 10_000 + t1! + t2! - 400), []);
});
