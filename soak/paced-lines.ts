/**
 * The lanes' rule on a paced network, for the checker: a line due while firebell wrote lines at least as
 * urgent, one pacing slot after another, waited its turn; those slots are not lateness. Pages are urgent;
 * announcements, prompts and firebell's other notices normal; relayed chat and protocol lines excuse nothing.
 * Pure: no clock, no I/O.
 */
import type { CheckInput, Demand, Interval, WireLine } from './checker.js';

const RANK = { urgent: 0, normal: 1 } as const;

export type PacedLines = ReadonlyMap<
  string,
  { readonly slotMs: number; readonly lines: readonly WireLine[] }
>;

/** firebell's own lines on each paced network, in time order. */
export function pacedLines(input: CheckInput): PacedLines {
  const paced = new Map<string, { slotMs: number; lines: WireLine[] }>();
  for (const [network, slotMs] of Object.entries(input.pacingMs ?? {}))
    paced.set(network, { slotMs, lines: [] });
  for (const line of input.wire) if (line.lane) paced.get(line.network)?.lines.push(line);
  for (const { lines } of paced.values()) lines.sort((a, b) => a.at - b.at);
  return paced;
}

/** The pacing slots of the lines at least as urgent as the demand, written between its due time and its copy. */
export function pacedSlots(paced: PacedLines, demand: Demand, copy: WireLine): Interval[] {
  const network = paced.get(demand.network);
  if (!network) return [];
  const rank = demand.kind === 'page' ? RANK.urgent : RANK.normal;
  const { lines, slotMs } = network;
  const slots: Interval[] = [];
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((lines[middle]?.at ?? 0) <= demand.dueAt) low = middle + 1;
    else high = middle;
  }
  for (let i = low; i < lines.length; i += 1) {
    const line = lines[i];
    if (!line || line.at >= copy.at) break;
    if (line.lane && RANK[line.lane] <= rank) slots.push({ from: line.at - slotMs, to: line.at });
  }
  return slots;
}
