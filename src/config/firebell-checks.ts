/**
 * Checks inside firebell.yaml that a schema cannot express: ids that must be unique, references between
 * networks, groups and policies, and the order of escalation tiers.
 */
import { nameKeyFor } from '../core/casemapping.js';
import type { NetworkKind } from '../core/messages.js';
import { unknownName, type KeyPath } from './problems.js';
import {
  duplicates,
  field,
  integer,
  items,
  record,
  text,
  type CheckFinding,
  type Dependency,
  type LineOf,
} from './raw.js';

const SHELL = 'shell';
const KIND_NAMES: Record<NetworkKind, string> = {
  irc: 'an IRC network',
  matrix: 'a Matrix network',
  shell: 'the shell network',
};

/** What defines the networks: their ids, and the keys under `networks` (a typo there loses a network). */
const NETWORK_DEFINITIONS: readonly Dependency[] = [
  { doc: 'firebell', path: ['networks', '*'] },
  { doc: 'firebell', path: ['networks', 'irc', '*', 'id'] },
  { doc: 'firebell', path: ['networks', 'matrix', '*', 'id'] },
  { doc: 'firebell', path: ['networks', 'shell', 'enabled'] },
];

/** Network id → kind, for the networks the file defines (the shell one unless disabled). */
export function networksOf(firebell: unknown): Map<string, NetworkKind> {
  const networks = record(record(firebell).networks);
  const kinds = new Map<string, NetworkKind>();
  if (networks.shell !== undefined && record(networks.shell).enabled !== false) kinds.set(SHELL, 'shell');
  for (const kind of ['irc', 'matrix'] as const)
    for (const { value } of field(networks[kind], [], 'id')) if (!kinds.has(value)) kinds.set(value, kind);
  return kinds;
}

export interface PolicyTier {
  readonly tier: number;
  readonly path: KeyPath;
}

/** Policy name → its tiers as written. */
export function policiesOf(firebell: unknown): Map<string, PolicyTier[]> {
  const policies = record(record(record(firebell).escalation).policies);
  const result = new Map<string, PolicyTier[]>();
  for (const [name, policy] of Object.entries(policies)) {
    const tiersPath = ['escalation', 'policies', name, 'tiers'];
    result.set(
      name,
      items(record(policy).tiers).flatMap((tier, index) => {
        const value = integer(record(tier).tier);
        return value === undefined ? [] : [{ tier: value, path: [...tiersPath, index, 'tier'] }];
      }),
    );
  }
  return result;
}

function networkIds(firebell: unknown, lineOf: LineOf): CheckFinding[] {
  const networks = record(record(firebell).networks);
  const ids = (['irc', 'matrix'] as const).flatMap((kind) =>
    field(networks[kind], ['networks', kind], 'id').map(({ value, path }) => ({
      value,
      path: [...path, 'id'],
    })),
  );
  const reserved: CheckFinding[] = ids
    .filter(({ value }) => value === SHELL)
    .map(({ path }) => ({
      doc: 'firebell',
      path,
      severity: 'error',
      message: 'network id "shell" is reserved for the shell network',
    }));
  return [...reserved, ...duplicates('firebell', ids, 'network id', lineOf)];
}

/** Before any server said its casemapping, channels compare by rfc1459, the default. */
function conversationKey(kind: NetworkKind | undefined, conversation: string): string {
  return nameKeyFor(kind)(conversation);
}

function groupMembers(firebell: unknown, networks: Map<string, NetworkKind>, lineOf: LineOf): CheckFinding[] {
  const findings: CheckFinding[] = [];
  const seen = new Map<string, { group: string; path: KeyPath }>();
  items(record(firebell).groups).forEach((group, groupIndex) => {
    const groupId = text(record(group).id) ?? `#${groupIndex}`;
    items(record(group).members).forEach((member, memberIndex) => {
      const path: KeyPath = ['groups', groupIndex, 'members', memberIndex];
      const fields = record(member);
      const network = text(fields.network);
      if (network === undefined) return;
      const kind = networks.get(network);
      if (kind === undefined)
        findings.push({
          doc: 'firebell',
          path: [...path, 'network'],
          severity: 'error',
          message: unknownName('network', network, [...networks.keys()]),
          dependsOn: NETWORK_DEFINITIONS,
        });
      const channel = text(fields.channel);
      const room = text(fields.room);
      if (kind === 'matrix' && channel !== undefined)
        findings.push({
          doc: 'firebell',
          path: [...path, 'channel'],
          severity: 'error',
          message: `network "${network}" is a Matrix network: give room (such as "#opendev:example.org"), not channel`,
        });
      if ((kind === 'irc' || kind === 'shell') && room !== undefined)
        findings.push({
          doc: 'firebell',
          path: [...path, 'room'],
          severity: 'error',
          message: `network "${network}" is ${KIND_NAMES[kind]}: give channel (such as "#opendev"), not room`,
        });
      const conversation = channel ?? room;
      if (conversation === undefined) return;
      const key = `${network}\u0000${conversationKey(kind, conversation)}`;
      const earlier = seen.get(key);
      if (earlier === undefined) {
        seen.set(key, { group: groupId, path });
        return;
      }
      const line = lineOf('firebell', earlier.path);
      findings.push({
        doc: 'firebell',
        path,
        severity: 'error',
        message:
          `${conversation} on network "${network}" is already in group "${earlier.group}" ` +
          `(${formatMember(earlier.path)}${line === undefined ? '' : ` on line ${line}`}): ` +
          'a channel or room belongs to one group',
      });
    });
  });
  return findings;
}

function formatMember(path: KeyPath): string {
  return `groups[${String(path[1])}].members[${String(path[3])}]`;
}

function policyReferences(firebell: unknown, policies: Map<string, PolicyTier[]>): CheckFinding[] {
  const names = [...policies.keys()];
  const references: { value: string; path: KeyPath }[] = field(
    record(firebell).groups,
    ['groups'],
    'policy',
  ).map(({ value, path }) => ({ value, path: [...path, 'policy'] }));
  const intake = record(record(firebell).intake);
  const intakePolicy = text(intake.policy);
  if (intakePolicy !== undefined) references.push({ value: intakePolicy, path: ['intake', 'policy'] });
  for (const { value, path } of field(intake.routes, ['intake', 'routes'], 'policy'))
    references.push({ value, path: [...path, 'policy'] });
  const defaultPolicy = text(record(record(firebell).escalation).defaultPolicy);
  if (defaultPolicy !== undefined)
    references.push({ value: defaultPolicy, path: ['escalation', 'defaultPolicy'] });
  return references
    .filter(({ value }) => !policies.has(value))
    .map(({ value, path }) => ({
      doc: 'firebell',
      path,
      severity: 'error',
      message: unknownName('escalation policy', value, names),
    }));
}

function tierOrder(policies: Map<string, PolicyTier[]>): CheckFinding[] {
  const findings: CheckFinding[] = [];
  for (const tiers of policies.values())
    tiers.forEach((current, index) => {
      const previous = tiers[index - 1];
      if (previous === undefined || current.tier > previous.tier) return;
      const problem =
        current.tier === previous.tier
          ? `tier ${current.tier} is listed twice`
          : `tier ${current.tier} comes after tier ${previous.tier}`;
      findings.push({
        doc: 'firebell',
        path: current.path,
        severity: 'error',
        message: `${problem}: list each tier once, in ascending order`,
      });
    });
  return findings;
}

function externalBots(firebell: unknown, networks: Map<string, NetworkKind>): CheckFinding[] {
  const ircNetworks = [...networks].filter(([, kind]) => kind === 'irc').map(([id]) => id);
  return field(
    record(record(firebell).statusbot).externalBots,
    ['statusbot', 'externalBots'],
    'network',
  ).flatMap(({ value, path }): CheckFinding[] => {
    const kind = networks.get(value);
    if (kind === 'irc') return [];
    const message =
      kind === undefined
        ? unknownName('IRC network', value, ircNetworks)
        : `"${value}" is ${KIND_NAMES[kind]}: externalBots must name IRC networks`;
    return [
      {
        doc: 'firebell',
        path: [...path, 'network'],
        severity: 'error',
        message,
        dependsOn: NETWORK_DEFINITIONS,
      },
    ];
  });
}

export function checkFirebell(firebell: unknown, lineOf: LineOf): CheckFinding[] {
  const networks = networksOf(firebell);
  const policies = policiesOf(firebell);
  const root = record(firebell);
  const idsOf = (key: string): { value: string; path: KeyPath }[] =>
    field(root[key], [key], 'id').map(({ value, path }) => ({ value, path: [...path, 'id'] }));
  return [
    ...networkIds(firebell, lineOf),
    ...duplicates('firebell', idsOf('groups'), 'group id', lineOf),
    ...duplicates('firebell', idsOf('roles'), 'role id', lineOf),
    ...groupMembers(firebell, networks, lineOf),
    ...policyReferences(firebell, policies),
    ...tierOrder(policies),
    ...externalBots(firebell, networks),
    ...longMessageLinks(firebell),
    ...intakeGroups(firebell),
    ...shutdownGrace(firebell),
    ...plaintextMail(firebell),
  ];
}

/** Alerts and planned maintenance must name a group that exists: a typo would send them nowhere. */
function intakeGroups(firebell: unknown): CheckFinding[] {
  const root = record(firebell);
  const intake = record(root.intake);
  const groups = field(root.groups, ['groups'], 'id').map(({ value }) => value);
  const references = [
    ...(text(intake.group) !== undefined
      ? [{ value: text(intake.group) as string, path: ['intake', 'group'] }]
      : []),
    ...field(intake.routes, ['intake', 'routes'], 'group').map(({ value, path }) => ({
      value,
      path: [...path, 'group'],
    })),
    ...field(root.maintenance, ['maintenance'], 'group')
      .filter(({ value }) => value !== 'all')
      .map(({ value, path }) => ({ value, path: [...path, 'group'] })),
  ];
  const findings: CheckFinding[] = references
    .filter(({ value }) => !groups.includes(value))
    .map(({ value, path }) => ({
      doc: 'firebell',
      path,
      severity: 'error',
      message: unknownName('group', value, groups),
    }));
  // Started without a listener, firebell would look configured for alerts and never receive one.
  if (
    root.intake !== undefined &&
    text(record(root.http).listen) === undefined &&
    text(record(root.bot).httpListen) === undefined
  )
    findings.push({
      doc: 'firebell',
      path: ['intake'],
      severity: 'error',
      message: 'intake needs http.listen: without the listener no hook can reach firebell',
    });
  return findings;
}

/** Container managers (Docker, Podman) send SIGKILL 10 s after SIGTERM unless told to wait longer. */
const CONTAINER_STOP_SECONDS = 10;

/** A grace the container manager cuts short turns a clean stop into a kill. */
function shutdownGrace(firebell: unknown): CheckFinding[] {
  const grace = record(record(firebell).bot).shutdownGraceSeconds;
  if (typeof grace !== 'number' || grace + 2 < CONTAINER_STOP_SECONDS) return [];
  return [
    {
      doc: 'firebell',
      path: ['bot', 'shutdownGraceSeconds'],
      severity: 'warning',
      dependsOn: [{ doc: 'firebell', path: ['bot', 'shutdownGraceSeconds'] }],
      message:
        `a stop takes up to ${grace} s plus about 2 s for the networks' goodbyes: give your container ` +
        `manager at least that before it sends SIGKILL (Docker and Podman wait ${CONTAINER_STOP_SECONDS} s ` +
        'by default: `stop_grace_period`, `--time`); what is not sent is kept for the next start either way',
    },
  ];
}

/** Links to long relayed messages point at `bot.publicUrl`; only firebell's own listener answers them. */
function longMessageLinks(firebell: unknown): CheckFinding[] {
  const bot = record(record(firebell).bot);
  const http = record(record(firebell).http);
  if (typeof bot.publicUrl !== 'string' || bot.httpListen !== undefined || http.listen !== undefined)
    return [];
  return [
    {
      doc: 'firebell',
      path: ['bot', 'publicUrl'],
      severity: 'warning',
      message:
        'bot.publicUrl is set but bot.httpListen is not: nothing serves the links to long relayed messages',
    },
  ];
}

/** Mail without TLS is allowed only to a local relay; `firebell check` says it is on, so nobody forgets it. */
function plaintextMail(firebell: unknown): CheckFinding[] {
  const email = record(record(firebell).email);
  if (email.allowPlaintext !== true) return [];
  return [
    {
      doc: 'firebell',
      path: ['email', 'allowPlaintext'],
      severity: 'warning',
      message:
        'e-mail pages, with their ack links, go to the SMTP server in clear when it offers no STARTTLS: ' +
        'keep it for a relay on this machine, and have the relay send them on with TLS',
    },
  ];
}
