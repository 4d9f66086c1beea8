/**
 * How every benchmark reports: one figure per line, `name: value unit`, with the raw baseline measured in
 * the same run and the target on the same line, so a reader can judge the figure without a second source.
 */
export interface BenchFigure {
  readonly name: string;
  /** What the value is, when it is one statistic of several samples ("median"). */
  readonly statistic?: string;
  readonly value: number;
  readonly unit: string;
  /** The raw figure this one is compared against (the bare server hop, the bare SQLite rate). */
  readonly baseline?: { readonly name: string; readonly value: number; readonly unit: string };
  /** The target in words, e.g. ">= 60% of raw" or "overhead <= 2 ms at p99". */
  readonly target?: string;
  /** Whether the target was met, when it can be judged from the figures. */
  readonly met?: boolean;
  /** Anything else worth printing on the line (the derived ratio or overhead). */
  readonly note?: string;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<readonly BenchFigure[]>;
}

const round = (value: number): string =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);

export function formatFigure(figure: BenchFigure): string {
  const parts: string[] = [];
  if (figure.baseline)
    parts.push(`baseline ${figure.baseline.name}: ${round(figure.baseline.value)} ${figure.baseline.unit}`);
  if (figure.note) parts.push(figure.note);
  if (figure.target)
    parts.push(
      `target ${figure.target}${figure.met === undefined ? '' : figure.met ? ' (met)' : ' (MISSED)'}`,
    );
  const tail = parts.length > 0 ? ` (${parts.join('; ')})` : '';
  const statistic = figure.statistic === undefined ? '' : `${figure.statistic} `;
  return `${figure.name}: ${statistic}${round(figure.value)} ${figure.unit}${tail}`;
}

/** p-th percentile (0-100) of a list of samples, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}
