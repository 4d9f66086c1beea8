/**
 * The soak's two-instance mode is judged by the same checker: a page that both instances sent (no crash
 * between, or on Matrix at all) is duplicated; a line the fenced (paused) instance wrote after its resume
 * is reported, a reply or a relayed line as much as a page, unless it is a page whose transition was stored
 * before the pause (handed to the socket before it, docs/deployment.md: then IRC's one repeat). From tapped
 * lines and events through the soak's own wire functions and the `pg` tagging, as `npm run soak` judges them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { check, formatReport, type Demand, type Interval } from '../../soak/checker.js';
import { demandId, IRC, MATRIX } from '../../soak/demands.js';
import type { TappedLine } from '../../soak/irc-tap.js';
import { ircSource, wireOf } from '../../soak/irc-wire.js';
import type { TappedEvent } from '../../soak/matrix-tap.js';
import { matrixWireOf } from '../../soak/matrix-wire.js';
import { mergeStages, tagStage, type StageInput } from '../../soak/stage-tag.js';

const LATE = { announcement: 5_000, page: 5_000, prompt: 5_000 };
const ROOM = '#infra:soak.test';
const PAGE = 'alice: paging you (tier 1) for incident #1: sk1 gate down';
const ANNOUNCE = 'Incident \x02#1\x0f declared by reporter: sk1 gate down';

function demand(
  what: string,
  kind: Demand['kind'],
  network: string,
  place: string,
  dueAt: number,
  storedAt: number,
): Demand {
  return { id: demandId(1, what, place), kind, network, dueAt, fault: 'sigstop-past-lease', storedAt };
}

const ircLine = (at: number, connection: number, text: string): TappedLine => ({
  at,
  connection,
  raw: Buffer.from(`NOTICE #infra :${text}`, 'utf8').toString('latin1'),
});

const matrixEvent = (at: number, body: string, txnId: string): TappedEvent => ({
  type: 'event',
  at,
  roomId: '!infra:soak.test',
  eventType: 'm.room.message',
  content: { msgtype: 'm.notice', body },
  txnId,
  eventId: `$${txnId}`,
});

/** One stage's input, tagged `pg` and merged beside an empty SQLite stage, as run.ts judges it. */
function judged(stage: StageInput): ReturnType<typeof check> {
  return check({ ...mergeStages({ demands: [], wire: [] }, tagStage(stage, 'pg')), lateAfterMs: LATE });
}

function stage(
  lines: TappedLine[],
  events: TappedEvent[],
  demands: Demand[],
  crashes: Array<number | Interval>,
  fenced: StageInput['fenced'] = [],
): StageInput {
  return {
    demands,
    wire: [...wireOf(lines), ...matrixWireOf(events, () => ROOM)],
    repeatAfterCrash: { [IRC]: crashes },
    fenced,
  };
}

test('a page sent by both instances of the pair is duplicated on IRC (no crash between) and on Matrix', () => {
  const demands = [
    demand('tier1', 'page', IRC, '#infra', 10_000, 10_000),
    demand('tier1', 'page', MATRIX, ROOM, 10_000, 10_000),
  ];
  // Instance A on tap connection 1, instance B on connection 2: both page tier 1; nothing crashed.
  const lines = [ircLine(10_050, 1, PAGE), ircLine(10_400, 2, PAGE)];
  const events = [matrixEvent(10_060, PAGE, 'fb.7'), matrixEvent(10_410, PAGE, 'fb.8')];
  const report = judged(stage(lines, events, demands, []));
  const doubled = report.violations.filter((violation) => violation.promise === 'duplicated');
  assert.deepEqual(
    doubled.map((violation) => violation.detail),
    [
      'page pg #1/tier1 #infra on pg-irc sent 2 times (pg-sigstop-past-lease)',
      `page pg #1/tier1 ${ROOM} on pg-matrix sent 2 times (pg-sigstop-past-lease)`,
    ],
    formatReport(report),
  );
  assert.match(formatReport(report), /\| pg-sigstop-past-lease \| 2 +\| 0 +\| 2 /);

  // The active one SIGKILLed between the two copies: IRC's one repeat; Matrix allows none.
  const afterKill = judged(stage(lines, events, demands, [10_200]));
  assert.deepEqual(
    afterKill.violations.map((violation) => `${violation.promise}: ${violation.detail}`),
    [`duplicated: page pg #1/tier1 ${ROOM} on pg-matrix sent 2 times (pg-sigstop-past-lease)`],
  );
  assert.equal(afterKill.rows[0]?.repeatedAfterCrash, 1);
});

test('a page or a reply the fenced instance wrote after its resume is reported; a line it stored before the pause is a repeat', () => {
  const pausedAt = 20_000;
  const resumedAt = 25_000;
  const exitedAt = 25_300;
  const demands = [
    // Stored by A before its pause: A may still write it after the resume (queued), B resends it.
    demand('announce', 'announcement', IRC, '#infra', 19_500, 19_500),
    // Stored by B after the takeover: A cannot have committed it.
    demand('tier1', 'page', IRC, '#infra', 23_000, 23_000),
  ];
  const lines = [
    ircLine(23_100, 2, ANNOUNCE), // B resends what A's outbox held
    ircLine(23_150, 2, PAGE), // B pages
    ircLine(resumedAt + 5, 1, ANNOUNCE), // A, resumed: queued before its pause
    ircLine(resumedAt + 6, 1, PAGE), // A, resumed: decided after it lost the lease
    { at: resumedAt + 7, connection: 1, raw: 'QUIT :bye' }, // protocol, not speech
    // A reply it was never asked to store: the lease is asked before every line, so this is fenced too.
    { at: resumedAt + 8, connection: 1, raw: 'NOTICE mallory :I am firebell, an incident bot' },
  ];
  const fenced = [{ from: [ircSource(1)], pausedAt, resumedAt }];
  const report = judged(stage(lines, [], demands, [{ from: pausedAt, to: exitedAt }], fenced));
  const said = report.violations.filter((violation) => violation.promise === 'said by a fenced instance');
  assert.equal(said.length, 2, formatReport(report));
  assert.match(
    said[0]?.detail ?? '',
    /^pg-irc pg-irc#1 at 25006, 6 ms after its resume \(paused at 20000\): .*paging you \(tier 1\)/,
  );
  assert.match(said[1]?.detail ?? '', /pg-irc#1 at 25008, .*I am firebell/);
  // The pause allows one repeat per demand: the announcement's second copy and the page's.
  assert.equal(report.violations.filter((violation) => violation.promise === 'duplicated').length, 0);
  assert.match(formatReport(report), /said by a fenced instance: 2/);
  assert.match(formatReport(report), /BROKEN said by a fenced instance: pg-irc pg-irc#1/);

  // The same page written a third time after the pause is one copy too many: one repeat per crash.
  const third = judged(
    stage([...lines, ircLine(26_000, 2, PAGE)], [], demands, [{ from: pausedAt, to: exitedAt }], fenced),
  );
  assert.match(
    third.violations.find((violation) => violation.promise === 'duplicated')?.detail ?? '',
    /pg #1\/tier1 #infra on pg-irc sent 3 times \(1 after a crash\)/,
  );
});

test('each stage keeps its pacing through the tag and the merge: a prompt behind its pages is not late', () => {
  const prompt = demand('prompt', 'prompt', IRC, '#infra', 10_000, 10_000);
  // Sixty pages one slot apart after the prompt's due time, then the prompt: 6 s after due, all of it queued.
  const pages = Array.from({ length: 60 }, (_, i) =>
    ircLine(10_100 + 100 * i, 1, PAGE.replace('#1', `#${i + 2}`)),
  );
  const copy = ircLine(16_050, 1, 'alice: incident #1 has been open 30 s and no status update was posted');
  const input = { ...stage([...pages, copy], [], [prompt], []), pacingMs: { [IRC]: 100 } };
  const report = judged(input);
  assert.deepEqual(
    report.violations.filter((violation) => violation.promise === 'late'),
    [],
    formatReport(report),
  );
  assert.equal(report.queuedBehind.length, 1);
  const merged = mergeStages(tagStage(input, 'a'), tagStage(input, 'b'));
  assert.deepEqual(merged.pacingMs, { [`a-${IRC}`]: 100, [`b-${IRC}`]: 100 });
});
