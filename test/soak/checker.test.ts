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

test('percentile is nearest-rank', () => {
  assert.equal(percentile([], 50), undefined);
  assert.equal(percentile([5], 99), 5);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
});
