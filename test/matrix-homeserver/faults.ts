/**
 * Fault injection for the test homeserver, controlled from tests, in one rule format for every request:
 * the next N requests of a route (or of every route, `'*'`), optionally of one user, are answered with
 * 429 `M_LIMIT_EXCEEDED`, a 5xx, a slow answer, or a dropped connection, before or after the request took
 * effect. "After" is what makes transaction ids matter: the event exists, the client never heard so, and
 * only a retry with the same id avoids a duplicate.
 */
export type FaultKind =
  /**
   * 429 M_LIMIT_EXCEEDED. How long to wait goes in the body's `retry_after_ms` (unless `body` is false)
   * and, with `header`, in a Retry-After header (whole seconds, rounded up, as Synapse sends it); with
   * no `retryAfterMs`, the answer says nothing about when to come back.
   */
  | {
      readonly kind: 'rate-limit';
      readonly retryAfterMs?: number;
      readonly header?: boolean;
      readonly body?: boolean;
    }
  /** A server error; `html` sends a proxy-style HTML body instead of a Matrix error. */
  | { readonly kind: 'error'; readonly status: number; readonly html?: boolean }
  /** Waits, then answers normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Destroys the socket without handling the request. */
  | { readonly kind: 'drop' }
  /** Handles the request (its effects happen), then destroys the socket instead of answering. */
  | { readonly kind: 'drop-after' };

export type FaultRule = FaultKind & {
  /** Route names as in routes.ts: 'send', 'sync', 'state.put', 'login', 'whoami', ...; '*' for all. */
  readonly route: string | readonly string[];
  /** Only requests made with this user's token. */
  readonly userId?: string;
  /** How many requests to fault. */
  readonly times: number;
  /** Lets every n-th matching request through to later rules (it does not count towards `times`). */
  readonly passEvery?: number;
};

export interface ActiveFault {
  readonly rule: FaultRule;
  /** Faults still to inject. */
  remaining: number;
  /** Matching requests seen, faulted or not. */
  matched: number;
}

export class FaultInjector {
  private readonly active: ActiveFault[] = [];

  add(rule: FaultRule): ActiveFault {
    const fault = { rule, remaining: rule.times, matched: 0 };
    this.active.push(fault);
    return fault;
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The fault to apply to this request, if any; consumes one. */
  take(route: string, userId: string | undefined): FaultKind | undefined {
    for (const fault of this.active) {
      if (fault.remaining <= 0) continue;
      const routes: readonly string[] =
        typeof fault.rule.route === 'string' ? [fault.rule.route] : fault.rule.route;
      if (!routes.includes(route) && !routes.includes('*')) continue;
      if (fault.rule.userId !== undefined && fault.rule.userId !== userId) continue;
      fault.matched += 1;
      if (fault.rule.passEvery !== undefined && fault.matched % fault.rule.passEvery === 0) continue;
      fault.remaining -= 1;
      return fault.rule;
    }
    return undefined;
  }
}
