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

/**
 * Node's timers accept at most 2^31-1 ms (24.8 days); a longer delay fires at once (with a warning).
 * Deadlines further out (a 30-day repeat, a week-long ack timeout) are re-armed in steps of at most this.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/** What `steppedClock` builds on: the host's timers and wall clock. */
export interface TimerHost {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A timer re-armed in steps; the handle `clearTimeout` takes. */
interface SteppedTimer {
  current: unknown;
}

/**
 * A Clock over `host` whose timers may be longer than `maxStepMs`: each step waits at most that long and
 * re-arms for what remains until the deadline (measured on `host.now()`, so a slow step does not add up).
 */
export function steppedClock(host: TimerHost, maxStepMs = MAX_TIMER_MS): Clock {
  return {
    now: () => host.now(),
    setTimeout(fn, ms) {
      const due = host.now() + Math.max(0, ms);
      const timer: SteppedTimer = { current: undefined };
      const arm = (): void => {
        const left = due - host.now();
        if (left > maxStepMs) timer.current = host.setTimeout(arm, maxStepMs);
        else timer.current = host.setTimeout(fn, Math.max(0, left));
      };
      arm();
      return timer;
    },
    clearTimeout(handle) {
      const timer = handle as SteppedTimer | undefined;
      if (timer?.current !== undefined) host.clearTimeout(timer.current);
    },
  };
}

export const systemClock: Clock = steppedClock({
  // The one place that reads the wall clock; everything else receives a Clock.
  // eslint-disable-next-line no-restricted-properties
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
});

/** Whether `work` finished within `ms` on this clock (a bounded wait: a stop's grace). */
export function within(clock: Clock, ms: number, work: Promise<void>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(false), ms);
    void work.then(() => {
      clock.clearTimeout(timer);
      resolve(true);
    });
  });
}
