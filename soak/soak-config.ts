/**
 * The configuration the soak runs firebell with: one IRC network (the tap's port), one Matrix network (the
 * soak's homeserver), SQLite (or PostgreSQL, for two instances), and two groups, each with two IRC channels and a Matrix room and a policy of
 * several tiers, in fractions of a minute so that a whole escalation (every tier, the exhaustion notice,
 * the status prompt) fits in a soak of a minute or two. The same policies are what the checker derives its
 * demands from (`GROUPS`), so the two cannot drift apart.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SoakTier {
  readonly tier: number;
  readonly afterMinutes: number;
}

export interface SoakPolicy {
  readonly tiers: readonly SoakTier[];
  /** `whenExhausted.afterMinutes` with action `stop`: one exhaustion notice, then silence. */
  readonly exhaustedAfterMinutes: number;
  /** `statusReminder.afterMinutes` with no repeat: one prompt, counted from the announcement. */
  readonly promptAfterMinutes: number;
}

export interface SoakGroup {
  readonly id: string;
  /** Where incidents are declared and announced; the bridge relays it to `mirror`. */
  readonly channel: string;
  readonly mirror: string;
  /** The group's Matrix room alias (`#infra:soak.test`). */
  readonly room: string;
  readonly policy: SoakPolicy;
}

/** Who each tier pages: one contact per tier, highlighted in the channel (no private messages). */
export const TIER_CONTACTS: Readonly<Record<number, string>> = { 1: 'alice', 2: 'bob', 3: 'carol' };

export const BOT_NICK = 'fbsoak';
/** The IRC pacing's sustained rate: the checker counts a line firebell wrote as one slot of it. */
export const IRC_LINES_PER_SECOND = 10;

/** The soak homeserver's name, the bot's localpart there, and who owns its rooms. */
export const MATRIX_SERVER = 'soak.test';
export const MATRIX_BOT = 'fbsoak';
export const MATRIX_ROOM_OWNER = 'ops';
/** The env variable that carries the bot's Matrix access token (a secret: never in the files). */
export const MATRIX_TOKEN_ENV = 'FIREBELL_SOAK_MATRIX_TOKEN';

/** Tiers a few seconds apart: quick enough for the run, slow enough that a restart falls between them. */
export const GROUPS: readonly SoakGroup[] = [
  {
    id: 'infra',
    channel: '#infra',
    mirror: '#infra-ops',
    room: `#infra:${MATRIX_SERVER}`,
    policy: {
      tiers: [
        { tier: 1, afterMinutes: 0.1 },
        { tier: 2, afterMinutes: 0.12 },
        { tier: 3, afterMinutes: 0.15 },
      ],
      exhaustedAfterMinutes: 0.1,
      promptAfterMinutes: 0.25,
    },
  },
  {
    id: 'web',
    channel: '#web',
    mirror: '#web-ops',
    room: `#web:${MATRIX_SERVER}`,
    policy: {
      tiers: [
        { tier: 1, afterMinutes: 0.08 },
        { tier: 2, afterMinutes: 0.2 },
      ],
      exhaustedAfterMinutes: 0.15,
      promptAfterMinutes: 0.12,
    },
  },
];

function policyYaml(policy: SoakPolicy): string {
  const tiers = policy.tiers.map((t) => `        - { tier: ${t.tier}, afterMinutes: ${t.afterMinutes} }`);
  return [
    '      tiers:',
    ...tiers,
    `      whenExhausted: { action: stop, afterMinutes: ${policy.exhaustedAfterMinutes} }`,
    `      statusReminder: { afterMinutes: ${policy.promptAfterMinutes}, repeatMinutes: null }`,
  ].join('\n');
}

/** The env variable that carries the PostgreSQL database's URL in the two-instance mode. */
export const DATABASE_URL_ENV = 'FIREBELL_SOAK_DATABASE_URL';
/** The two-instance mode's lease: short, so a takeover after a SIGKILL or a pause takes 2-3 s. */
export const LEASE_SECONDS = 2;

export interface SoakNetworks {
  readonly ircPort: number;
  readonly homeserver: string;
  /** One firebell on a SQLite file (the default), or two sharing a PostgreSQL database. */
  readonly store?: 'sqlite' | 'postgres';
}

function storeYaml(store: SoakNetworks['store']): string {
  if (store !== 'postgres') return 'store:\n  path: ../data/firebell.sqlite';
  return `store:\n  kind: postgres\n  url: \${${DATABASE_URL_ENV}}\n  leaseSeconds: ${LEASE_SECONDS}`;
}

export function firebellYaml(networks: SoakNetworks): string {
  const groups = GROUPS.map((group) =>
    [
      `  - id: ${group.id}`,
      `    policy: ${group.id}`,
      '    members:',
      `      - { network: soaknet, channel: '${group.channel}' }`,
      `      - { network: soaknet, channel: '${group.mirror}' }`,
      `      - { network: soakmx, room: '${group.room}' }`,
    ].join('\n'),
  );
  const policies = GROUPS.map((group) => `    ${group.id}:\n${policyYaml(group.policy)}`);
  return `
bot:
  admin: soak@firebell.test
  playbookUrl: https://example.org/playbook
  shutdownGraceSeconds: 2
${storeYaml(networks.store)}
networks:
  shell:
    enabled: false
  irc:
    - id: soaknet
      host: 127.0.0.1
      port: ${networks.ircPort}
      tls: false
      nick: ${BOT_NICK}
      pacing: { burst: 10, linesPerSecond: ${IRC_LINES_PER_SECOND} }
  matrix:
    - id: soakmx
      homeserver: ${networks.homeserver}
      userId: '@${MATRIX_BOT}:${MATRIX_SERVER}'
      accessToken: \${${MATRIX_TOKEN_ENV}}
groups:
${groups.join('\n')}
incidents:
  # Contacts acknowledge from Matrix (every Matrix user is identified); the fuzzer on IRC is nobody's.
  permissions: { ack: contacts }
escalation:
  defaultPolicy: infra
  policies:
${policies.join('\n')}
statusbot:
  alertFile: ../data/alert.json
`;
}

export function contactsYaml(): string {
  const contacts = Object.entries(TIER_CONTACTS).map(([tier, nick]) =>
    [
      `  - id: ${nick}`,
      `    name: ${nick[0]?.toUpperCase()}${nick.slice(1)}`,
      `    irc: { account: ${nick}, nick: ${nick} }`,
      `    matrix: '@${nick}:${MATRIX_SERVER}'`,
      '    timezone: UTC',
      "    hours: { daily: '00:00-24:00' }",
      `    tier: ${tier}`,
      '    reach: highlight',
    ].join('\n'),
  );
  return `contacts:\n${contacts.join('\n')}\n`;
}

/** Writes config/firebell.yaml, config/contacts.yaml and whitelist.yaml under `root`; returns the config dir. */
export function writeSoakConfig(root: string, networks: SoakNetworks): string {
  const dir = join(root, 'config');
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(root, 'data'), { recursive: true });
  writeFileSync(join(dir, 'firebell.yaml'), firebellYaml(networks));
  writeFileSync(join(dir, 'contacts.yaml'), contactsYaml());
  writeFileSync(join(root, 'whitelist.yaml'), 'whitelist:\n  - contact: alice\n');
  return dir;
}
