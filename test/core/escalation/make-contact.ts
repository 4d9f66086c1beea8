/** Test contacts written the way contacts.yaml writes them. */
import type { Contact } from '../../../src/config/config.js';
import { parseHours } from '../../../src/config/hours.js';

export interface ContactSketch {
  readonly id: string;
  readonly timezone: string;
  readonly hours: Record<string, string | string[]>;
  readonly name?: string;
  readonly tier?: number;
  readonly irc?: { account: string; nick?: string };
  readonly matrix?: string;
  readonly email?: string;
  readonly roles?: string[];
  readonly reach?: Contact['reach'];
  /** Without any handle (no IRC, no Matrix), so firebell cannot page them. */
  readonly noHandles?: true;
}

export function makeContact(sketch: ContactSketch): Contact {
  const parsed = parseHours(sketch.hours);
  if (!parsed.ok) throw new Error(`bad hours for ${sketch.id}: ${JSON.stringify(parsed.problems)}`);
  return {
    id: sketch.id,
    name: sketch.name ?? sketch.id[0]?.toUpperCase() + sketch.id.slice(1),
    timezone: sketch.timezone,
    hours: parsed.hours,
    roles: sketch.roles ?? [],
    reach: sketch.reach ?? 'both',
    ...(sketch.tier === undefined ? {} : { tier: sketch.tier }),
    // Pageable by default: an IRC account named like the id, unless handles are given or refused.
    ...(sketch.irc === undefined && sketch.matrix === undefined && !sketch.noHandles
      ? { irc: { account: sketch.id } }
      : {}),
    ...(sketch.irc === undefined ? {} : { irc: sketch.irc }),
    ...(sketch.matrix === undefined ? {} : { matrix: sketch.matrix }),
    ...(sketch.email === undefined ? {} : { email: sketch.email }),
  };
}

/** An instant from an ISO string with an explicit offset or Z. */
export const at = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant ${iso}`);
  return value;
};
