/**
 * A planned window's end, met by a timer that fires a little early (Node's timers may run up to a
 * millisecond before Date.now() reaches their deadline): the alerts it held are released all the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '../../src/core/clock.js';
import type { Journal } from '../../src/core/journal.js';
import { JournaledKeyValues } from '../../src/core/key-values.js';
import { silentLogger } from '../../src/core/logger.js';
import { MaintenanceWindows } from '../../src/core/maintenance/maintenance-windows.js';
import type { Speaker } from '../../src/core/outbox.js';

/** A clock whose timers run 1 ms before their deadline, as Node's may (never before they were armed). */
function earlyClock(): Clock & { runDue(until: number): void } {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => now,
    setTimeout(fn, ms) {
      timers.set(next, { at: now + ms - (ms > 1 ? 1 : 0), fn });
      return next++;
    },
    clearTimeout: (handle) => void timers.delete(handle as number),
    runDue(until) {
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = until;
    },
  };
}

test('a planned window whose end timer fires early still lets its alerts go at its end', () => {
  const clock = earlyClock();
  const windows = new MaintenanceWindows({
    keyValues: new JournaledKeyValues({ record: () => undefined } as unknown as Journal),
    clock,
    speaker: { toGroup: () => undefined } as unknown as Speaker,
    groupIds: () => ['infra'],
    planned: [
      {
        group: 'infra',
        startsAt: 0,
        endsAt: 60_000,
        reason: 'upgrade',
        by: { name: 'ops', network: 'config' },
        planned: true,
      },
    ],
    logger: silentLogger,
  });
  const heldAtOver: boolean[] = [];
  windows.onOver(() => heldAtOver.push(windows.holding('infra') !== undefined));
  windows.start();
  clock.runDue(60_000);
  assert.deepEqual(heldAtOver, [false], 'when told the window is over, it no longer holds the group');
});
