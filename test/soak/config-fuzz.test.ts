/**
 * The judgement of one `firebell check` run, and the seeded mutations being repeatable: a stack trace, a hang,
 * a crash exit or an unnamed problem each fail; a refusal naming file and line, or a clean accept, pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, type CheckRun } from '../../soak/config-fuzz.js';
import { mutate } from '../../soak/config-mutations.js';
import { Random } from '../../soak/random.js';

const run = (overrides: Partial<CheckRun>): CheckRun => ({
  status: 1,
  signal: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  ...overrides,
});

test('accepted and refused runs keep the promise', () => {
  assert.deepEqual(judge(run({ status: 0, stdout: 'config OK: 6 contacts\n' })), {
    ok: true,
    outcome: 'accepted',
  });
  assert.deepEqual(
    judge(run({ stderr: '/x/config/contacts.yaml:3:5: contacts[0].timezone: expected an IANA timezone\n' })),
    {
      ok: true,
      outcome: 'refused',
    },
  );
  assert.deepEqual(
    judge(run({ stderr: '/x/config/firebell.yaml: the file is empty: expected a mapping\n' })),
    {
      ok: true,
      outcome: 'refused',
    },
  );
});

test('a hang, a stack trace, a crash exit and an unnamed problem each break it', () => {
  assert.equal(judge(run({ timedOut: true, status: null, signal: 'SIGKILL' })).ok, false);
  assert.equal(judge(run({ stderr: 'TypeError: x\n    at load (file:///a/b.js:1:2)\n' })).ok, false);
  assert.equal(judge(run({ status: 134, stderr: '' })).ok, false);
  assert.equal(judge(run({ stderr: 'firebell: Maximum call stack size exceeded\n' })).ok, false);
  assert.equal(judge(run({ status: 0, stdout: '' })).ok, false);
});

test('the same seed gives the same mutations', () => {
  const samples = {
    'config/firebell.yaml': 'a: 1\nb:\n  c: 2\n',
    'config/contacts.yaml': 'x: y\n',
    'whitelist.yaml': 'w: []\n',
  };
  const first = [1, 2, 3].map(() => mutate(samples, new Random(42)));
  const again = mutate(samples, new Random(42));
  assert.deepEqual(first[0], again);
  const series = (seed: number) => {
    const random = new Random(seed);
    return Array.from({ length: 20 }, () => mutate(samples, random).text);
  };
  assert.deepEqual(series(7), series(7));
  assert.notDeepEqual(series(7), series(8));
});
