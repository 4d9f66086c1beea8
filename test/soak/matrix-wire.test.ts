/**
 * The soak's Matrix side as the checker judges it: events in the rooms recognised as the demands they
 * fulfil (a page, an announcement, a prompt), relayed chat and command answers as replies; and the checker
 * proven to fail on what the Matrix rule forbids: a page posted twice (a resend under a new transaction id
 * after a SIGKILL: no repeat is allowed on Matrix, crash or not), a page that never reached the room, and a
 * page said while the store refused every write (said before stored). Also the fault rules a plan's steps
 * become, and the store's log lines the full disk is measured by.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, formatReport, promiseBroken } from '../../soak/checker.js';
import { demandsOf, type StoredIncident } from '../../soak/demands.js';
import { storeLogEvent } from '../../soak/disk-full.js';
import type { FaultStep } from '../../soak/fault-plan.js';
import { matrixRule } from '../../soak/matrix-faults.js';
import type { TappedEvent } from '../../soak/matrix-tap.js';
import { matrixWireOf } from '../../soak/matrix-wire.js';
import { GROUPS } from '../../soak/soak-config.js';

const LATE = { announcement: 5_000, page: 5_000, prompt: 5_000 };
const ROOM = '!infra:soak.test';
const placeOf = (roomId: string): string | undefined => (roomId === ROOM ? '#infra:soak.test' : undefined);
const web = GROUPS.find((group) => group.id === 'web')!;

const TIER1_DUE = 100_000 + web.policy.tiers[0]!.afterMinutes * 60_000;
const TIER2_DUE = TIER1_DUE + web.policy.tiers[1]!.afterMinutes * 60_000;

/** Incident #7 of `web`: announced at 100 s, tier 1 fired on time, tier 2 fired at `tier2At`. */
function incident(tier2At: number): StoredIncident {
  const t1 = TIER1_DUE;
  return {
    id: 7,
    group: 'web',
    detectedAt: 100_000,
    announcedAt: 100_000,
    pagedAt: new Map([
      [1, t1],
      [2, tier2At],
    ]),
  };
}

let eventIds = 0;
function event(at: number, body: string, extra: Partial<TappedEvent> = {}): TappedEvent {
  eventIds += 1;
  return {
    type: 'event',
    at,
    roomId: '!web:soak.test',
    eventType: 'm.room.message',
    content: { msgtype: 'm.notice', body },
    txnId: `fb.${eventIds}`,
    eventId: `$${eventIds}`,
    ...extra,
  };
}

const webPlace = (roomId: string): string | undefined =>
  roomId === '!web:soak.test' ? '#web:soak.test' : undefined;
const page = (tier: number): string =>
  `Alice: paging you (tier ${tier}) for incident #7: sk7 gate down — unacknowledged for 5 s. Acknowledge with !ack 7`;

/** Only the Matrix room's demands of incident #7, and every one of them delivered on time but `skip`. */
function matrixRecord(tier2At: number): { demands: ReturnType<typeof demandsOf>; events: TappedEvent[] } {
  const demands = demandsOf([incident(tier2At)], GROUPS, []).filter((demand) => demand.network === 'matrix');
  const words: Record<string, string> = {
    announce: 'Incident #7 declared by reporter: sk7 gate down — take it with !ack 7',
    tier1: page(1),
    tier2: page(2),
    exhausted: 'Nobody has acknowledged incident #7 (sk7 gate down) after paging every tier.',
    prompt: 'alice: incident #7 has been open 7 s and no status update was posted.',
  };
  const events = demands.map((demand) => {
    const what = /\/(\w+) /.exec(demand.id)?.[1] ?? '';
    return event(demand.dueAt + 100, words[what] ?? '');
  });
  return { demands, events };
}

test('every Matrix demand delivered once, on time, keeps every promise; relayed chat is a reply', () => {
  const { demands, events } = matrixRecord(TIER2_DUE);
  assert.equal(demands.length, web.policy.tiers.length + 3);
  const relayed = event(101_000, '<mallory> fz1 tail\n<mallory> fz2 tail', {
    content: {
      msgtype: 'm.text',
      body: '<mallory> fz1 tail\n<mallory> fz2 tail',
      'org.firebell.relayed': true,
    },
  });
  const wire = matrixWireOf([...events, relayed], webPlace);
  assert.deepEqual(
    wire.map((line) => line.demandId ?? 'reply'),
    [...demands.map((demand) => demand.id), 'reply'],
  );
  const report = check({ demands, wire, lateAfterMs: LATE });
  assert.equal(promiseBroken(report), false, formatReport(report));
});

test('a page posted twice in the room (a resend under a new transaction id) is duplicated, even across a SIGKILL', () => {
  const { demands, events } = matrixRecord(TIER2_DUE);
  const first = events.find((candidate) => String(candidate.content.body).includes('(tier 1)'))!;
  const again = event(first.at + 3_000, String(first.content.body));
  const wire = matrixWireOf([...events, again], webPlace);
  // The crash between the copies excuses a repeat on IRC, never on Matrix.
  const report = check({
    demands,
    wire,
    lateAfterMs: LATE,
    repeatAfterCrash: { irc: [first.at + 1_000] },
  });
  assert.deepEqual(
    report.violations.map((violation) => violation.promise),
    ['duplicated'],
  );
  assert.match(report.violations[0]?.detail ?? '', /page #7\/tier1 #web:soak\.test on matrix sent 2 times/);
  assert.equal(report.rows.find((row) => row.fault === 'none')?.duplicated, 1);
});

test('a page that never reached the room is lost', () => {
  const { demands, events } = matrixRecord(TIER2_DUE);
  const kept = events.filter((candidate) => !String(candidate.content.body).includes('(tier 2)'));
  const report = check({ demands, wire: matrixWireOf(kept, webPlace), lateAfterMs: LATE });
  assert.deepEqual(
    report.violations.map((violation) => violation.promise),
    ['lost'],
  );
  assert.match(formatReport(report), /BROKEN lost: page #7\/tier2 #web:soak\.test on matrix \(none\)/);
});

test('a page said while the store refused every write was said before it was stored', () => {
  // Tier 2 fired on time, inside a full disk that lasted 3 s; its page reached the room 100 ms later.
  const { demands, events } = matrixRecord(TIER2_DUE);
  const wire = matrixWireOf(events, webPlace);
  const storeDown = [{ from: TIER2_DUE - 1_000, to: TIER2_DUE + 2_000 }];
  const report = check({ demands, wire, lateAfterMs: LATE, storeDown });
  const early = report.violations.filter((violation) => violation.promise === 'said before stored');
  assert.equal(early.length, 1, formatReport(report));
  assert.match(
    early[0]?.detail ?? '',
    /#7\/tier2 #web:soak\.test on matrix at \d+, 1900 ms before the store took any write again/,
  );
  assert.match(formatReport(report), /said before stored: 1/);
  // The same page after the store took writes again is what the promise asks for.
  const held = events.map((candidate) =>
    String(candidate.content.body).includes('(tier 2)') ? { ...candidate, at: TIER2_DUE + 2_050 } : candidate,
  );
  const fine = check({ demands, wire: matrixWireOf(held, webPlace), lateAfterMs: LATE, storeDown });
  assert.equal(fine.violations.length, 0, formatReport(fine));
});

test('a Matrix body may span lines, but a CR or NUL in it is relayed control', () => {
  const report = check({
    demands: [],
    wire: matrixWireOf(
      [event(1, 'two\nlines'), event(2, 'carriage\rreturn'), event(3, 'nul\0byte')],
      placeOf,
    ),
    lateAfterMs: LATE,
  });
  assert.deepEqual(
    report.violations.map((violation) => violation.promise),
    ['control character relayed', 'control character relayed'],
  );
});

test("each Matrix fault of the plan becomes the homeserver's rule for the bot's requests", () => {
  const step = (kind: FaultStep['kind']): FaultStep => ({
    kind,
    pauseMs: 0,
    declare: [],
    jitterMs: 700,
    burst: 4,
  });
  const bot = '@fbsoak:soak.test';
  assert.deepEqual(matrixRule(step('matrix-429'), bot), {
    userId: bot,
    times: 4,
    route: 'send',
    kind: 'rate-limit',
    retryAfterMs: 700,
    header: true,
  });
  assert.equal('retryAfterMs' in matrixRule(step('matrix-429-bare'), bot), false);
  assert.deepEqual(matrixRule(step('matrix-500'), bot).route, ['send', 'sync']);
  assert.equal(matrixRule(step('matrix-slow'), bot).kind, 'delay');
  assert.equal(matrixRule(step('matrix-timeout'), bot).kind, 'drop-after');
  assert.throws(() => matrixRule(step('sigterm'), bot));
});

test("the full disk is measured by the journal's own log lines", () => {
  const line = (msg: string): string => JSON.stringify({ level: 50, time: 1234, app: 'firebell', msg });
  assert.deepEqual(storeLogEvent(line('the store is failing (disk I/O error); nothing is said')), {
    kind: 'failing',
    at: 1234,
  });
  assert.deepEqual(storeLogEvent(line('the store works again; what was held back is committed')), {
    kind: 'works',
    at: 1234,
  });
  assert.equal(storeLogEvent(line('the store opened')), undefined);
  assert.equal(storeLogEvent('the store is failing, not JSON'), undefined);
});
