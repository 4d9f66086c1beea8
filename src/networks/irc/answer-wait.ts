/**
 * The wait for the server's answer to something firebell wrote (a line's echo or the PONG after it, a
 * TOPIC's echo), shared by message lines (line-confirmations.ts) and topic changes (topic-tracker.ts).
 *
 * A wait expires only if the server said something since the write. From a connection gone silent (dead,
 * what was written maybe lost in a socket buffer) an expiry would settle the delivery timed-out, which is
 * final: it would never go again. So the wait goes on; the ping timeout ends such a connection, and what
 * was waiting is written again on the next one.
 */
import type { Clock } from '../../core/clock.js';

export interface AnswerWaitDeps {
  readonly clock: Clock;
  readonly timeoutMs: number;
  /** When the server last sent a line on this connection. */
  readonly lastHeard: () => number;
}

/** Arms `holder.timer` (cleared by the caller when the answer comes) to call `expire` when the wait ends. */
export function awaitAnswer(
  deps: AnswerWaitDeps,
  holder: { timer: unknown },
  expire: () => void,
  since = deps.clock.now(),
): void {
  holder.timer = deps.clock.setTimeout(() => {
    if (deps.lastHeard() <= since) awaitAnswer(deps, holder, expire, since);
    else expire();
  }, deps.timeoutMs);
}
