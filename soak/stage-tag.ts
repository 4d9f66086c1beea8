/**
 * The two-instance stage is judged with the other stages by one checker, in one table: its networks,
 * demands, faults and connections get a prefix of their own (`pg-irc`, `pg #3/tier1 #infra`,
 * `pg-sigkill-at-due`, `pg-irc#4`), so the incident numbers of two stores never meet, and each network
 * keeps its own outages and repeat rule; then the stages are merged into one input. Pure.
 */
import type { CheckInput, Demand, WireLine } from './checker.js';

export type StageInput = Omit<CheckInput, 'lateAfterMs' | 'exercised'>;

const keyed = <T>(record: Readonly<Record<string, T>> | undefined, prefix: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record ?? {}).map(([key, value]) => [`${prefix}-${key}`, value]));

export function tagStage(input: StageInput, prefix: string): StageInput {
  const fault = (name: string): string => `${prefix}-${name}`;
  const source = (from: string): string => `${prefix}-${from}`;
  const id = (demandId: string): string => `${prefix} ${demandId}`;
  return {
    ...input,
    demands: input.demands.map((demand): Demand => ({
      ...demand,
      id: id(demand.id),
      network: `${prefix}-${demand.network}`,
      fault: fault(demand.fault),
    })),
    wire: input.wire.map((line): WireLine => ({
      ...line,
      network: `${prefix}-${line.network}`,
      ...(line.demandId === undefined ? {} : { demandId: id(line.demandId) }),
      ...(line.from === undefined ? {} : { from: source(line.from) }),
    })),
    crashes: (input.crashes ?? []).map((crash) => ({ ...crash, fault: fault(crash.fault) })),
    repeatAfterCrash: keyed(input.repeatAfterCrash, prefix),
    outages: keyed(input.outages, prefix),
    pacingMs: keyed(input.pacingMs, prefix),
    fenced: (input.fenced ?? []).map((fenced) => ({ ...fenced, from: fenced.from.map(source) })),
  };
}

/** The injected faults' names, as their rows are named. */
export const tagFaults = (
  injected: Readonly<Record<string, number>>,
  prefix: string,
): Record<string, number> => keyed(injected, prefix);

/** Two stages' inputs as one: their lines, demands and faults side by side (tag one of them first). */
export function mergeStages(a: StageInput, b: StageInput): StageInput {
  const both = <T>(x: readonly T[] | undefined, y: readonly T[] | undefined): T[] => [
    ...(x ?? []),
    ...(y ?? []),
  ];
  return {
    demands: both(a.demands, b.demands),
    wire: both(a.wire, b.wire),
    forbidden: both(a.forbidden, b.forbidden),
    hostile: both(a.hostile, b.hostile),
    crashes: both(a.crashes, b.crashes),
    repeatAfterCrash: { ...a.repeatAfterCrash, ...b.repeatAfterCrash },
    outages: { ...a.outages, ...b.outages },
    pacingMs: { ...a.pacingMs, ...b.pacingMs },
    // Each store's refusals judge its own stage's demands only: the stages run at the same time.
    storeDown: [a, b].flatMap((stage) => {
      const networks = [...new Set(stage.demands.map((demand) => demand.network))];
      return (stage.storeDown ?? []).map((interval) => ({ ...interval, networks }));
    }),
    fenced: both(a.fenced, b.fenced),
  };
}
