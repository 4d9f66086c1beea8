/**
 * Channels waiting to be joined, turned into as few JOIN lines as the server allows: `JOIN #a,#b,#c k1,k2`
 * (keyed channels first, so the keys line up), within the line length and the server's TARGMAX for JOIN.
 * After a reconnect a hundred channels take a handful of lines, not a hundred. The channels that a waiting
 * line needs go first, most urgent first: a page to a channel is not stuck behind the rejoin of ninety
 * others; the JOIN then travels in that page's lane.
 */
import type { Lane } from '../../core/delivery.js';
import type { CaseFold } from '../../core/casemapping.js';
import type { JoinOffer } from './outgoing-pacer.js';

/** What a JOIN costs on servers that charge commands by weight (InspIRCd: 2), whatever its length. */
export const JOIN_COST = 2;
/** An IRC line is 512 bytes with CRLF; a client line has no prefix. */
const MAX_LINE_BYTES = 510;
const RANK: Readonly<Record<Lane, number>> = { urgent: 0, normal: 1, relay: 2, bulk: 3 };

interface Wanted {
  readonly name: string;
  readonly key: string | undefined;
  readonly order: number;
}

export class JoinPlanner {
  private readonly wanted = new Map<string, Wanted>();
  private counter = 0;

  constructor(
    private readonly fold: () => CaseFold,
    /** The server's limit of channels in one JOIN (TARGMAX), when it has one. */
    private readonly maxTargets: () => number | undefined,
  ) {}

  get size(): number {
    return this.wanted.size;
  }

  want(name: string, key: string | undefined): void {
    const folded = this.fold()(name);
    if (!this.wanted.has(folded)) this.wanted.set(folded, { name, key, order: this.counter++ });
  }

  /** Joined, or no longer wanted. */
  forget(name: string): void {
    this.wanted.delete(this.fold()(name));
  }

  /** The connection ended: what was waiting is joined again by the next registration. */
  clear(): void {
    this.wanted.clear();
  }

  /** The next JOIN line, or undefined when no channel waits. */
  next(waitingLane: (channelKey: string) => Lane | undefined): JoinOffer | undefined {
    if (this.wanted.size === 0) return undefined;
    const ranked = [...this.wanted.entries()]
      .map(([folded, channel]) => ({ folded, channel, lane: waitingLane(folded) }))
      .sort(
        (a, b) =>
          RANK[a.lane ?? 'bulk'] - RANK[b.lane ?? 'bulk'] ||
          Number(a.lane === undefined) - Number(b.lane === undefined) ||
          a.channel.order - b.channel.order,
      );
    const limit = this.maxTargets() ?? Infinity;
    const chosen: typeof ranked = [];
    for (const candidate of ranked) {
      if (chosen.length >= limit) break;
      if (
        chosen.length > 0 &&
        byteLength(joinLine([...chosen, candidate].map((c) => c.channel))) > MAX_LINE_BYTES
      )
        continue;
      chosen.push(candidate);
    }
    const lane = chosen[0]?.lane ?? 'bulk';
    return {
      lane,
      line: { line: joinLine(chosen.map((c) => c.channel)), cost: JOIN_COST },
      take: () => {
        for (const { folded } of chosen) this.wanted.delete(folded);
      },
    };
  }
}

function joinLine(channels: readonly { readonly name: string; readonly key: string | undefined }[]): string {
  const keyed = channels.filter((channel) => channel.key !== undefined);
  const open = channels.filter((channel) => channel.key === undefined);
  const names = [...keyed, ...open].map((channel) => channel.name).join(',');
  return keyed.length === 0
    ? `JOIN ${names}`
    : `JOIN ${names} ${keyed.map((channel) => channel.key).join(',')}`;
}

const byteLength = (line: string): number => Buffer.byteLength(line, 'utf8');

/** The JOIN limit of an ISUPPORT TARGMAX value ("JOIN:5,PRIVMSG:4"); undefined when none is given. */
export function joinTargetLimit(targmax: unknown): number | undefined {
  if (typeof targmax !== 'string') return undefined;
  for (const entry of targmax.split(',')) {
    const [command, limit] = entry.split(':');
    if (command?.toUpperCase() !== 'JOIN') continue;
    const value = Number(limit);
    return limit !== undefined && limit !== '' && Number.isInteger(value) && value > 0 ? value : undefined;
  }
  return undefined;
}
