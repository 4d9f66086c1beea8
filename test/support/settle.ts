import type { Firebell } from '../../src/core/firebell.js';

/**
 * Lets a firebell under test finish what it started: its work done and committed, a few rounds deep (a
 * delivery settling can start another transition, whose effects queue more). With the store failing it
 * returns once the journal waits for its retry timer (the test moves the clock on).
 */
export async function settle(firebell: Firebell): Promise<void> {
  for (let i = 0; i < 5; i += 1) {
    await firebell.idle();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
