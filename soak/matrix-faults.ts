/**
 * The soak's Matrix faults, injected into the homeserver's process (matrix-tap.ts) in bursts: the next
 * `burst` requests of firebell's user on the fault's routes are answered badly, then the homeserver is
 * well again. The burst ends when that many requests were faulted (the bridge's relayed chat and the
 * declaration said just before keep firebell sending), or after a deadline.
 */
import type { FaultRule } from '../test/matrix-homeserver/faults.js';
import type { FaultStep } from './fault-plan.js';
import type { MatrixTap } from './matrix-tap.js';

const BURST_DEADLINE_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The homeserver's fault rule for a step of the plan. */
export function matrixRule(step: FaultStep, botUserId: string): FaultRule {
  const base = { userId: botUserId, times: step.burst };
  switch (step.kind) {
    case 'matrix-429':
      return { ...base, route: 'send', kind: 'rate-limit', retryAfterMs: step.jitterMs, header: true };
    case 'matrix-429-bare':
      return { ...base, route: 'send', kind: 'rate-limit' };
    case 'matrix-500':
      return { ...base, route: ['send', 'sync'], kind: 'error', status: 500 };
    case 'matrix-slow':
      return { ...base, route: '*', kind: 'delay', ms: step.jitterMs };
    case 'matrix-timeout':
      return { ...base, route: 'send', kind: 'drop-after' };
    default:
      throw new Error(`${step.kind} is not a Matrix fault`);
  }
}

/**
 * Injects the burst and waits until it is spent (and a slow answer has come); returns when the homeserver
 * was well again, and how many requests it faulted.
 */
export async function matrixBurst(
  tap: MatrixTap,
  step: FaultStep,
): Promise<{ readonly from: number; readonly to: number; readonly faulted: number }> {
  const from = Date.now();
  tap.fault(matrixRule(step, tap.bot.userId));
  const deadline = from + BURST_DEADLINE_MS;
  while (tap.faultedSince(from) < step.burst && Date.now() < deadline) await sleep(50);
  tap.clearFaults();
  const faulted = tap.faultedSince(from);
  return { from, to: Date.now(), faulted };
}
