/**
 * The soak's checker can fail: a wire record with a lost page, a doubled page and a late page is reported
 * three times over, and a clean record passes. Also the three "never" promises: unasked sends, privileged
 * commands obeyed from unverified users, control characters relayed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  check,
  formatReport,
  percentile,
  promiseBroken,
  type Demand,
  type WireLine,
} from '../../soak/checker.js';

const LATE = { announcement: 5_000, page: 5_000, prompt: 5_000 };

const demands: Demand[] = [
  { id: 'INC-1/tier1', kind: 'page', network: 'irc', dueAt: 1_000, fault: 'sigkill' },
  { id: 'INC-1/tier2', kind: 'page', network: 'irc', dueAt: 61_000, fault: 'sigkill' },
  { id: 'INC-2/tier1', kind: 'page', network: 'matrix', dueAt: 2_000, fault: 'matrix-429' },
  { id: 'INC-2/announce', kind: 'announcement', network: 'matrix', dueAt: 2_000, fault: 'matrix-429' },
];

test('a clean wire record keeps every promise', () => {
  const wire: WireLine[] = [
    { network: 'irc', at: 1_200, text: 'page 1', demandId: 'INC-1/tier1' },
    { network: 'irc', at: 61_100, text: 'page 2', demandId: 'INC-1/tier2' },
    { network: 'matrix', at: 2_300, text: 'page 3', demandId: 'INC-2/tier1' },
    { network: 'matrix', at: 2_050, text: 'announce', demandId: 'INC-2/announce' },
    { network: 'irc', at: 3_000, text: 'INC-1 acknowledged', reply: true },
  ];
  const report = check({ demands, wire, lateAfterMs: LATE });
  assert.equal(promiseBroken(report), false, formatReport(report));
  const sigkill = report.rows.find((row) => row.fault === 'sigkill');
  assert.deepEqual(sigkill, {
    fault: 'sigkill',
    count: 2,
    lost: 0,
    duplicated: 0,
    late: 0,
    lateP50Ms: 100,
    lateP99Ms: 200,
    crashes: 0,
    repeatedAfterCrash: 0,
  });
});

test('a lost page, a doubled page and a late page are each reported', () => {
  const wire: WireLine[] = [
    // INC-1/tier1 never appears: lost.
    { network: 'irc', at: 61_100, text: 'page 2', demandId: 'INC-1/tier2' },
    { network: 'irc', at: 61_900, text: 'page 2 again', demandId: 'INC-1/tier2' },
    { network: 'matrix', at: 2_000 + 45_000, text: 'page 3', demandId: 'INC-2/tier1' },
    { network: 'matrix', at: 2_010, text: 'announce', demandId: 'INC-2/announce' },
  ];
  const report = check({ demands, wire, lateAfterMs: LATE });
  assert.equal(promiseBroken(report), true);
  const promises = report.violations.map((violation) => violation.promise).sort();
  assert.deepEqual(promises, ['duplicated', 'late', 'lost']);
  assert.match(report.violations.find((v) => v.promise === 'lost')?.detail ?? '', /INC-1\/tier1/);
  assert.match(
    report.violations.find((v) => v.promise === 'duplicated')?.detail ?? '',
    /INC-1\/tier2 .* 2 times/,
  );
  assert.match(
    report.violations.find((v) => v.promise === 'late')?.detail ?? '',
    /INC-2\/tier1 on matrix 45000 ms after due/,
  );
  const sigkill = report.rows.find((row) => row.fault === 'sigkill');
  assert.equal(sigkill?.lost, 1);
  assert.equal(sigkill?.duplicated, 1);
  const matrix = report.rows.find((row) => row.fault === 'matrix-429');
  assert.equal(matrix?.late, 1);
  assert.equal(matrix?.lateP99Ms, 45_000);
  const table = formatReport(report);
  assert.match(table, /\| sigkill +\| 2 +\| 1 +\| 1 +\| 0 /);
  assert.match(table, /BROKEN lost: page INC-1\/tier1/);
});

test('IRC: one repeat per crash between copies is the documented rule; a repeat without a crash, or a third copy after one crash, is a duplicate', () => {
  const pages: Demand[] = [
    { id: 'INC-3/tier1', kind: 'page', network: 'irc', dueAt: 1_000, fault: 'sigkill' },
    { id: 'INC-4/tier1', kind: 'page', network: 'irc', dueAt: 1_000, fault: 'sigkill' },
    { id: 'INC-5/tier1', kind: 'page', network: 'irc', dueAt: 1_000, fault: 'sigterm' },
    { id: 'INC-6/tier1', kind: 'page', network: 'matrix', dueAt: 1_000, fault: 'sigkill' },
  ];
  const wire: WireLine[] = [
    // Written, crash at 1_150 before its confirmation was committed, written again: allowed.
    { network: 'irc', at: 1_100, text: 'p3', demandId: 'INC-3/tier1' },
    { network: 'irc', at: 4_000, text: 'p3', demandId: 'INC-3/tier1' },
    // Three copies around one crash: one too many.
    { network: 'irc', at: 1_100, text: 'p4', demandId: 'INC-4/tier1' },
    { network: 'irc', at: 4_000, text: 'p4', demandId: 'INC-4/tier1' },
    { network: 'irc', at: 4_100, text: 'p4', demandId: 'INC-4/tier1' },
    // Twice with no crash between (a clean stop must not repeat).
    { network: 'irc', at: 5_000, text: 'p5', demandId: 'INC-5/tier1' },
    { network: 'irc', at: 9_000, text: 'p5', demandId: 'INC-5/tier1' },
    // Matrix has no such rule: its transaction ids make it exactly once.
    { network: 'matrix', at: 1_100, text: 'p6', demandId: 'INC-6/tier1' },
    { network: 'matrix', at: 4_000, text: 'p6', demandId: 'INC-6/tier1' },
  ];
  const report = check({ demands: pages, wire, lateAfterMs: LATE, repeatAfterCrash: { irc: [1_150] } });
  const duplicated = report.violations.filter((v) => v.promise === 'duplicated').map((v) => v.detail);
  assert.equal(duplicated.length, 3, formatReport(report));
  assert.match(duplicated.join('\n'), /INC-4\/tier1 on irc sent 3 times \(1 after a crash\)/);
  assert.match(duplicated.join('\n'), /INC-5\/tier1 on irc sent 2 times \(sigterm\)/);
  assert.match(duplicated.join('\n'), /INC-6\/tier1 on matrix sent 2 times/);
  assert.ok(!duplicated.some((detail) => detail.includes('INC-3')));
  assert.equal(report.rows.find((row) => row.fault === 'sigkill')?.repeatedAfterCrash, 2);
  assert.match(formatReport(report), /written again once after a crash \(the IRC rule allows it\): 2/);
});

test('late counts only the time the network could be written to', () => {
  const page: Demand = { id: 'INC-7/tier1', kind: 'page', network: 'irc', dueAt: 10_000, fault: 'sigkill' };
  const wire: WireLine[] = [{ network: 'irc', at: 30_000, text: 'p7', demandId: 'INC-7/tier1' }];
  // Down 9_000-14_000 and 13_000-20_000 (overlapping): 10 s of the 20 s were outage, 10 s were not.
  const outages = {
    irc: [
      { from: 9_000, to: 14_000 },
      { from: 13_000, to: 20_000 },
    ],
  };
  const report = check({ demands: [page], wire, lateAfterMs: LATE, outages });
  assert.equal(report.rows[0]?.lateP50Ms, 10_000);
  assert.match(report.violations[0]?.detail ?? '', /10000 ms after due/);
  const fine = check({
    demands: [page],
    wire,
    lateAfterMs: LATE,
    outages: { irc: [{ from: 9_000, to: 28_000 }] },
  });
  assert.equal(fine.rows[0]?.lateP50Ms, 2_000);
  assert.equal(promiseBroken(fine), false);
});

test('waiting behind lines at least as urgent at the pacing follows the lanes; behind an idle wire or less urgent lines it is late', () => {
  const prompt: Demand = { id: 'INC-8/prompt', kind: 'prompt', network: 'irc', dueAt: 0, fault: 'sigkill' };
  const page: Demand = { id: 'INC-9/tier1', kind: 'page', network: 'irc', dueAt: 0, fault: 'sigkill' };
  // 80 notices one 100 ms slot apart (pages, then announcements), then the prompt and the page 8 s after due.
  const busy: WireLine[] = Array.from({ length: 80 }, (_, i) => ({
    network: 'irc',
    at: 100 * (i + 1),
    text: `line ${i}`,
    reply: true,
    lane: i < 40 ? 'urgent' : 'normal',
  }));
  const copies: WireLine[] = [
    { network: 'irc', at: 8_050, text: 'prompt', demandId: 'INC-8/prompt', lane: 'normal' },
    { network: 'irc', at: 8_100, text: 'page', demandId: 'INC-9/tier1', lane: 'urgent' },
  ];
  const pacingMs = { irc: 100 };
  const report = check({ demands: [prompt, page], wire: [...busy, ...copies], lateAfterMs: LATE, pacingMs });
  const late = report.violations.filter((violation) => violation.promise === 'late');
  // The prompt waited behind 80 lines at least as urgent: not late. The page only behind 40 urgent ones
  // (4 s); behind announcements it was late: 4.1 s is within the 5 s allowed, so raise the bar to see it.
  assert.deepEqual(late, []);
  assert.deepEqual(report.queuedBehind, [8_000, 4_000]);
  const strict = check({
    demands: [prompt, page],
    wire: [...busy, ...copies],
    lateAfterMs: { ...LATE, page: 3_000 },
    pacingMs,
  });
  assert.deepEqual(
    strict.violations.map((violation) => violation.detail),
    ['page INC-9/tier1 on irc 4100 ms after due (sigkill)'],
  );
  // Relayed chat (no lane) and an idle wire excuse nothing; nor does a network without pacing.
  const idle = check({
    demands: [prompt],
    wire: [
      { ...copies[0]!, at: 8_000 },
      { network: 'irc', at: 4_000, text: '<mallory> hi', reply: true },
    ],
    lateAfterMs: LATE,
    pacingMs,
  });
  assert.match(idle.violations[0]?.detail ?? '', /8000 ms after due/);
  const unpaced = check({ demands: [prompt, page], wire: [...busy, ...copies], lateAfterMs: LATE });
  assert.equal(unpaced.violations.filter((violation) => violation.promise === 'late').length, 2);
});

test('an obeyed command is recognised through IRC formatting codes', () => {
  const report = check({
    demands: [],
    wire: [
      {
        network: 'irc',
        at: 20,
        text: 'NOTICE #infra :Incident \x02#9\x0f acknowledged by mallory',
        reply: true,
      },
    ],
    forbidden: [{ id: 'mallory !ack 9', sentAt: 10, effect: 'Incident #9 acknowledged by mallory' }],
    lateAfterMs: LATE,
  });
  assert.deepEqual(
    report.violations.map((v) => v.promise),
    ['privileged command obeyed from unverified user'],
  );
});

test('a page delivered on the wrong network does not count, and is an unasked send', () => {
  const report = check({
    demands: [demands[0]!],
    wire: [{ network: 'matrix', at: 1_100, text: 'page', demandId: 'INC-1/tier1' }],
    lateAfterMs: LATE,
  });
  assert.deepEqual(report.violations.map((v) => v.promise).sort(), ['lost', 'sent but no policy asked']);
});

test('the three never-promises: unasked send, obeyed unverified command, relayed control character', () => {
  const report = check({
    demands: [],
    wire: [
      { network: 'irc', at: 10, text: 'spontaneous chatter' },
      { network: 'irc', at: 20, text: 'INC-9 closed by mallory', reply: true },
      { network: 'matrix', at: 30, text: '<mallory> fz17\x03' + '4red', reply: true },
      { network: 'irc', at: 40, text: 'two\r\nlines', reply: true },
    ],
    forbidden: [{ id: 'mallory #close INC-9', sentAt: 15, effect: 'INC-9 closed' }],
    hostile: [
      { token: 'fz17', injected: '\x03' },
      { token: 'fz18', injected: '\r\n' },
    ],
    crashes: [{ fault: 'fuzz', at: 50, detail: 'exit code 1: TypeError' }],
    exercised: { fuzz: 3 },
    lateAfterMs: LATE,
  });
  assert.deepEqual(report.violations.map((v) => v.promise).sort(), [
    'control character relayed',
    'control character relayed',
    'crash',
    'privileged command obeyed from unverified user',
    'sent but no policy asked',
  ]);
  assert.equal(report.rows.find((row) => row.fault === 'fuzz')?.crashes, 1);
  assert.equal(report.rows.find((row) => row.fault === 'fuzz')?.count, 3);
});

test('a line break after a fuzzed token in a Matrix message is the coalescer joining lines; on IRC it is a relay', () => {
  const report = check({
    demands: [],
    wire: [
      { network: 'matrix', at: 30, text: '<mallory> fz2\nfz3 tail', reply: true, multiLine: true },
      { network: 'irc', at: 40, text: '<mallory> fz2\nfz3 tail', reply: true },
    ],
    hostile: [{ token: 'fz2', injected: '\n' }],
    lateAfterMs: LATE,
  });
  assert.deepEqual(
    report.violations.map((v) => `${v.promise}: ${v.detail}`),
    [
      'control character relayed: irc: CR, LF or NUL inside one line',
      'control character relayed: irc: fz2 followed by "\\n"',
    ],
  );
});

test('percentile is nearest-rank', () => {
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
});

test('the gravest broken promises come first, so a flood of late lines cannot hide a crash past the cap', () => {
  const late: Demand[] = Array.from({ length: 60 }, (_, n) => ({
    id: `INC-${n}/tier1`,
    kind: 'page',
    network: 'irc',
    dueAt: 0,
    fault: 'sigkill',
  }));
  const report = check({
    demands: late,
    wire: late.map((demand) => ({ network: 'irc', at: 9_000, text: 'p', demandId: demand.id })),
    crashes: [{ fault: 'sigkill', at: 1, detail: 'firebell did not rejoin IRC' }],
    lateAfterMs: LATE,
  });
  const lines = formatReport(report, 50).split('\n');
  assert.match(lines.find((line) => line.startsWith('BROKEN')) ?? '', /^BROKEN crash: .* did not rejoin IRC/);
  assert.equal(lines.at(-1), '... and 11 more');
});
