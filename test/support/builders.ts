/**
 * The one place tests build the domain's data: escalation policies, contacts, incident inputs and whole
 * configurations, each from a sketch that names only what the test cares about. Defaults are the plain
 * case (two tiers, paging stops when exhausted, no ack timeout, no reminder), so a test that overrides a
 * field says what it is about.
 */
import type { Config, Contact } from '../../src/config/config.js';
import { parseHours } from '../../src/config/hours.js';
import type {
  Actor,
  EscalationPolicy,
  EscalationTier,
  IncidentInput,
} from '../../machines/incident-types.js';

/** Working hours written the way contacts.yaml writes them (`{ 'mon-fri': '09:00-17:00' }`). */
export function hours(raw: Record<string, string | string[]>): Contact['hours'] {
  const parsed = parseHours(raw);
  if (!parsed.ok) throw new Error(`test hours ${JSON.stringify(raw)}: ${JSON.stringify(parsed.problems)}`);
  return parsed.hours;
}

/** An instant from an ISO string with an explicit offset or Z. */
export function at(iso: string): number {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant ${iso}`);
  return value;
}

/** Tiers 1, 2, … paged after these many minutes each (counted from the page before). */
export function tiers(...afterMinutes: number[]): EscalationTier[] {
  return afterMinutes.map((minutes, index) => ({ tier: index + 1, afterMinutes: minutes }));
}

/** Tier 1 after 5 minutes, tier 2 after 10 more, one pass, stop 15 minutes after the last page. */
export function makePolicy(changes: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    name: 'default',
    tiers: tiers(5, 10),
    repeat: 0,
    whenExhausted: { action: 'stop', afterMinutes: 15 },
    ackTimeoutMinutes: null,
    statusReminder: null,
    nobodyAwake: 'soonest',
    ...changes,
  };
}

export interface ContactSketch {
  readonly id: string;
  readonly timezone: string;
  readonly hours: Record<string, string | string[]>;
  readonly name?: string;
  readonly tier?: number;
  readonly irc?: Contact['irc'];
  readonly matrix?: string;
  readonly email?: string;
  readonly roles?: string[];
  readonly reach?: Contact['reach'];
  /** Without any handle (no IRC, no Matrix), so firebell cannot page them. */
  readonly noHandles?: true;
}

/** A contact as contacts.yaml describes one; named after the id, and pageable on IRC unless told otherwise. */
export function makeContact(sketch: ContactSketch): Contact {
  return {
    id: sketch.id,
    name: sketch.name ?? sketch.id[0]?.toUpperCase() + sketch.id.slice(1),
    timezone: sketch.timezone,
    hours: hours(sketch.hours),
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

/** Someone with a verified IRC services account, who is also a contact. */
export const alice: Actor = { name: 'alice', contactId: 'alice', network: 'libera', account: 'alice' };

/** The input that declares an incident: #7 in group `infra`, declared in chat by alice at 0. */
export function makeIncidentInput(changes: Partial<IncidentInput> = {}): IncidentInput {
  return {
    id: 7,
    summary: 'gate is failing',
    group: 'infra',
    declaredBy: alice,
    at: 0,
    policy: makePolicy(),
    source: { kind: 'chat' },
    ...changes,
  };
}

/**
 * A complete configuration with nothing in it but the default policy: no networks, groups, contacts or
 * whitelist, every command open to verified users (declaring to anyone), the built-in statusbot.
 */
export function makeConfig(changes: Partial<Config> = {}): Config {
  return {
    files: {
      firebell: 'config/firebell.yaml',
      contacts: 'config/contacts.yaml',
      whitelist: 'whitelist.yaml',
    },
    bot: { name: 'firebell', admin: 'infra-root@example.org', playbookUrl: 'https://example.org/playbook' },
    storePath: ':memory:',
    store: { kind: 'sqlite', path: ':memory:' },
    networks: { irc: [], matrix: [] },
    groups: [],
    policies: { default: makePolicy() },
    defaultPolicy: 'default',
    incidents: {
      dedupeWindowMinutes: 15,
      permissions: {
        declare: 'anyone',
        ack: 'verified',
        unack: 'verified',
        assign: 'verified',
        resolve: 'verified',
      },
    },
    statusbot: { mode: 'builtin', externalBots: [] },
    roles: [],
    bridge: { maxLines: 3, ignoreIrcNicks: [], ignoreMatrixUsers: [] },
    contacts: [],
    whitelist: [],
    intakeTokens: {},
    ...changes,
  };
}
