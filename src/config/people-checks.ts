/**
 * Checks on the people: contacts.yaml against itself and against firebell.yaml (tiers, roles), and the
 * whitelist against the contacts. A contact whose tier no policy pages is an error: they would never be
 * paged, and nobody would notice until the night it mattered.
 */
import { policiesOf } from './firebell-checks.js';
import { checkIrcAccounts, ircAccountEntries, ircNetworkIds } from './irc-account-checks.js';
import { formatPath, unknownName, type KeyPath } from './problems.js';
import {
  duplicates,
  field,
  integer,
  ircFold,
  items,
  record,
  text,
  type CheckFinding,
  type LineOf,
  type RawDocs,
} from './raw.js';

/** Roles every configuration has, whether or not `roles:` describes them. */
export const BUILTIN_ROLES = ['incident-commander', 'communications'] as const;

interface RawContact {
  readonly path: KeyPath;
  readonly fields: Record<string, unknown>;
}

function contactsOf(contacts: unknown): RawContact[] {
  return items(record(contacts).contacts).map((item, index) => ({
    path: ['contacts', index],
    fields: record(item),
  }));
}

/** Two contacts with one IRC account on one network (an account is per network: ircAccountEntries). */
function handles(list: readonly RawContact[], lineOf: LineOf, networks: readonly string[]): CheckFinding[] {
  const ids: { value: string; path: KeyPath }[] = [];
  const accounts = new Map<string, { value: string; path: KeyPath }[]>();
  const matrixIds: { value: string; path: KeyPath }[] = [];
  for (const { path, fields } of list) {
    const id = text(fields.id);
    if (id !== undefined) ids.push({ value: id, path: [...path, 'id'] });
    for (const entry of ircAccountEntries(fields.irc, [...path, 'irc'], networks))
      accounts.set(entry.network, [
        ...(accounts.get(entry.network) ?? []),
        { value: entry.account, path: entry.path },
      ]);
    const matrix = text(fields.matrix);
    if (matrix !== undefined) matrixIds.push({ value: matrix, path: [...path, 'matrix'] });
  }
  return [
    ...duplicates('contacts', ids, 'contact id', lineOf),
    ...[...accounts].flatMap(([network, entries]) =>
      duplicates(
        'contacts',
        entries,
        network === '*' ? 'IRC account' : `IRC account on ${network}`,
        lineOf,
        ircFold,
      ),
    ),
    ...duplicates('contacts', matrixIds, 'Matrix id', lineOf),
  ];
}

/**
 * A page starts in chat and the ways off chat follow it (escalation/recipients.ts): a tier with no chat
 * handle is skipped as "nobody can be paged", and the contact's ntfy and e-mail are never used.
 */
function noChatHandle(path: KeyPath, who: string): CheckFinding {
  return {
    doc: 'contacts',
    path: [...path, 'tier'],
    severity: 'error',
    message: `${who} has a tier but no irc or matrix handle, so they would never be paged (a page starts in chat; ntfy and e-mail only follow it): add irc: { account } or matrix, or remove the tier`,
  };
}

function tiers(list: readonly RawContact[], firebell: unknown): CheckFinding[] {
  const policies = policiesOf(firebell);
  const paged = new Set([...policies.values()].flat().map(({ tier }) => tier));
  const pagedList = [...paged].sort((a, b) => a - b).join(', ');
  const findings: CheckFinding[] = [];
  const contactTiers = new Set<number>();
  for (const { path, fields } of list) {
    const tier = integer(fields.tier);
    if (tier === undefined) continue;
    contactTiers.add(tier);
    const who = text(fields.name) ?? text(fields.id) ?? 'this contact';
    if (paged.has(tier)) {
      if (fields.irc === undefined && fields.matrix === undefined) findings.push(noChatHandle(path, who));
      continue;
    }
    const known =
      paged.size === 0
        ? 'no policy pages any tier'
        : `the policies page ${paged.size === 1 ? 'tier' : 'tiers'} ${pagedList}`;
    findings.push({
      doc: 'contacts',
      path: [...path, 'tier'],
      severity: 'error',
      message: `tier ${tier} is in no escalation policy (${known}), so ${who} would never be paged`,
      dependsOn: [
        { doc: 'firebell', path: ['escalation', 'policies', '*', 'tiers'] },
        { doc: 'firebell', path: ['escalation', 'policies', '*', 'tiers', '*', 'tier'] },
      ],
    });
  }
  if (contactTiers.size === 0 && list.length > 0) {
    findings.push({
      doc: 'contacts',
      path: ['contacts'],
      severity: 'warning',
      message: 'no contact has a tier, so incidents will page nobody',
    });
    return findings;
  }
  for (const [name, policyTiers] of policies)
    for (const { tier, path } of policyTiers)
      if (contactTiers.size > 0 && !contactTiers.has(tier))
        findings.push({
          doc: 'firebell',
          path,
          severity: 'warning',
          message: `no contact has tier ${tier}, so this step of policy "${name}" pages nobody`,
          dependsOn: [{ doc: 'contacts', path: ['contacts', '*', 'tier'] }],
        });
  return findings;
}

function roles(list: readonly RawContact[], firebell: unknown): CheckFinding[] {
  const defined = [
    ...new Set([...BUILTIN_ROLES, ...field(record(firebell).roles, [], 'id').map(({ value }) => value)]),
  ];
  return list.flatMap(({ path, fields }) =>
    items(fields.roles).flatMap((role, index): CheckFinding[] => {
      const name = text(role);
      if (name === undefined || defined.includes(name)) return [];
      return [
        {
          doc: 'contacts',
          path: [...path, 'roles', index],
          severity: 'error',
          message: unknownName('role', name, defined),
          dependsOn: [{ doc: 'firebell', path: ['roles', '*', 'id'] }],
        },
      ];
    }),
  );
}

/**
 * One person listed twice on the whitelist (by contact id, IRC account or Matrix id) is an error: removing
 * one entry in review would leave them able to post.
 */
function repeatedPeople(
  entries: unknown,
  list: readonly RawContact[],
  lineOf: LineOf,
  networks: readonly string[],
): CheckFinding[] {
  const handlesOf = (fields: Record<string, unknown>): string[] => {
    const matrix = text(fields.matrix);
    return [
      ...ircAccountEntries(fields.irc, [], networks).map(
        ({ network, account }) => `irc:${network}:${ircFold(account)}`,
      ),
      ...(matrix === undefined ? [] : [`matrix:${matrix}`]),
    ];
  };
  const seen = new Map<string, KeyPath>();
  const findings: CheckFinding[] = [];
  items(entries).forEach((item, index) => {
    const fields = record(item);
    const path: KeyPath = ['whitelist', index];
    const contactId = text(fields.contact);
    const contact = list.find((candidate) => text(candidate.fields.id) === contactId);
    const keys =
      contactId === undefined
        ? handlesOf(fields)
        : [`contact:${contactId}`, ...(contact ? handlesOf(contact.fields) : [])];
    const earlier = keys.map((key) => seen.get(key)).find((found) => found !== undefined);
    if (earlier) {
      const line = lineOf('whitelist', earlier);
      const who = contactId ?? text(fields.name) ?? 'this person';
      findings.push({
        doc: 'whitelist',
        path,
        severity: 'error',
        message: `${who} is already on the whitelist (${formatPath(earlier)}${line === undefined ? '' : ` on line ${line}`}): list each person once, or removing one entry would leave them able to post`,
      });
      return;
    }
    for (const key of keys) seen.set(key, path);
  });
  return findings;
}

function whitelist(
  doc: unknown,
  list: readonly RawContact[],
  lineOf: LineOf,
  networks: readonly string[],
): CheckFinding[] {
  const contactIds = list.flatMap(({ fields }) => text(fields.id) ?? []);
  const entries = record(doc).whitelist;
  const findings: CheckFinding[] = field(entries, ['whitelist'], 'contact')
    .filter(({ value }) => !contactIds.includes(value))
    .map(({ value, path }) => ({
      doc: 'whitelist',
      path: [...path, 'contact'],
      severity: 'error',
      message: unknownName('contact', value, contactIds),
      dependsOn: [{ doc: 'contacts', path: ['contacts', '*', 'id'] }],
    }));
  findings.push(...repeatedPeople(entries, list, lineOf, networks));
  if (Array.isArray(entries) && entries.length === 0)
    findings.push({
      doc: 'whitelist',
      path: ['whitelist'],
      severity: 'warning',
      message: 'the whitelist is empty, so nobody can post #status updates',
    });
  return findings;
}

/** E-mail listed as a way off chat needs SMTP settings, or no page would ever be mailed. */
function offChatEmail(list: readonly RawContact[], firebell: unknown): CheckFinding[] {
  if (record(firebell).email !== undefined) return [];
  return list.flatMap(({ path, fields }) =>
    (['pages', 'reminders'] as const).flatMap((kind) =>
      items(record(fields.offChat)[kind]).flatMap((way, index): CheckFinding[] =>
        text(way) === 'email'
          ? [
              {
                doc: 'contacts',
                path: [...path, 'offChat', kind, index],
                severity: 'error',
                message:
                  'email is listed but firebell.yaml has no email (SMTP) settings: add email: { host, from } there, or remove it here',
                dependsOn: [{ doc: 'firebell', path: ['email'] }],
              },
            ]
          : [],
      ),
    ),
  );
}

/**
 * Checks that need the other files run only when those files were read and parsed: a missing firebell.yaml
 * must not make every contact's tier look unpaged.
 */
export function checkPeople(docs: RawDocs, lineOf: LineOf): CheckFinding[] {
  const list = contactsOf(docs.contacts);
  const networks = ircNetworkIds(docs.firebell);
  const findings = docs.contacts === undefined ? [] : handles(list, lineOf, networks);
  if (docs.contacts !== undefined && docs.firebell !== undefined)
    findings.push(
      ...tiers(list, docs.firebell),
      ...roles(list, docs.firebell),
      ...offChatEmail(list, docs.firebell),
    );
  if (docs.whitelist !== undefined && docs.contacts !== undefined)
    findings.push(...whitelist(docs.whitelist, list, lineOf, networks));
  findings.push(...checkIrcAccounts(docs));
  return findings;
}
