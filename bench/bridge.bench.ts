/**
 * `npm run bench -- bridge`: what the bridge adds to a relay hop, in process (./bridge-core.ts) and on
 * loopback servers beside their raw hops and a bare relay doing the same two hops, every part in a
 * process of its own, at the sample config's default IRC pacing (./bridge-live.ts); and sustained
 * throughput with zero loss. Target: at most 2 ms added at p99 with empty queues.
 */
import { percentile, type BenchFigure, type Benchmark } from './report.js';
import { measureBridgeCore } from './bridge-core.js';
import { measureLive } from './bridge-live.js';

const ADDED_TARGET_MS = 2;

function coreFigures(): BenchFigure[] {
  const core = measureBridgeCore(5_000, 500);
  const figures: BenchFigure[] = [];
  for (const [direction, samples] of [
    ['irc_to_matrix', core.ircToMatrix],
    ['matrix_to_irc', core.matrixToIrc],
  ] as const) {
    const p99 = percentile(samples, 99);
    figures.push(
      { name: `bridge.core_${direction}_p50`, value: percentile(samples, 50), unit: 'ms' },
      {
        name: `bridge.core_${direction}_p99`,
        value: p99,
        unit: 'ms',
        note: direction === 'irc_to_matrix' ? 'without the 100 ms coalescing hold' : 'one message, formatted',
        target: `added <= ${ADDED_TARGET_MS} ms at p99`,
        met: p99 <= ADDED_TARGET_MS,
      },
    );
  }
  return figures;
}

export const benchmark: Benchmark = {
  name: 'bridge',
  async run(): Promise<readonly BenchFigure[]> {
    return [...coreFigures(), ...(await measureLive())];
  },
};
