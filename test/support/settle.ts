import type { Firebell } from '../../src/core/firebell.js';

/**
 * Lets a firebell under test finish what it started: the service idle and the jobs that queued, a few
 * rounds deep (a delivery settling can start another transition, whose effects queue more).
 */
export async function settle(firebell: Firebell): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await firebell.service.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
