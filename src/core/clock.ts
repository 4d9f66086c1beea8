/**
 * The only source of time in firebell. It is a superset of xstate's `Clock`, so the same object drives the
 * machines' delayed transitions and stamps every event with `at`. Production uses `systemClock`; tests use
 * xstate's `SimulatedClock`, which has the same shape.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// Node's timers accept at most 2^31-1 ms; a longer delay would fire at once. Deadlines further out
// (a week-long ack timeout, say) are re-armed in steps.
const MAX_TIMER_MS = 2_147_483_647;

export const systemClock: Clock = {
  // The one place that reads the wall clock; everything else receives a Clock.
  // eslint-disable-next-line no-restricted-properties
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
