/**
 * Services accounts belong to one IRC network: OFTC's `alice` is not Libera's `alice`, and whoever holds
 * the name on the other network must not pass as the contact there. So with two or more IRC networks an
 * `irc.account` that does not say its network is refused (`irc.accounts` names it), and `irc.accounts`
 * names only networks that exist.
 */
import type { KeyPath } from './problems.js';
import { unknownName } from './problems.js';
import { items, record, text, type CheckFinding, type DocName, type RawDocs } from './raw.js';

/** The IRC network ids firebell.yaml defines, in order. */
export function ircNetworkIds(firebell: unknown): string[] {
  return items(record(record(firebell).networks).irc).flatMap((item) => text(record(item).id) ?? []);
}

export interface IrcAccountEntry {
  /** The network the account is on; `*` for an `account` that names none (with no IRC network, or several). */
  readonly network: string;
  readonly account: string;
  readonly path: KeyPath;
}

/**
 * The accounts an `irc:` handle gives, each with its network: `account` is on the one IRC network when
 * there is exactly one, so that it and `accounts: { thatnetwork: ... }` compare as the same thing.
 */
export function ircAccountEntries(
  irc: unknown,
  path: KeyPath,
  networks: readonly string[],
): IrcAccountEntry[] {
  const fields = record(irc);
  // Both at once is its own error (schema.ts); the account would only repeat itself here.
  const account = fields.accounts === undefined ? text(fields.account) : undefined;
  const single = networks.length === 1 ? (networks[0] as string) : '*';
  return [
    ...(account === undefined ? [] : [{ network: single, account, path: [...path, 'account'] }]),
    ...Object.entries(record(fields.accounts)).flatMap(([network, value]) => {
      const named = text(value);
      return named === undefined ? [] : [{ network, account: named, path: [...path, 'accounts', network] }];
    }),
  ];
}

function checkHandle(doc: DocName, irc: unknown, path: KeyPath, networks: readonly string[]): CheckFinding[] {
  const fields = record(irc);
  const findings: CheckFinding[] = [];
  const account = text(fields.account);
  const [first] = networks;
  if (account !== undefined && first !== undefined && networks.length >= 2)
    findings.push({
      doc,
      path: [...path, 'account'],
      severity: 'error',
      message:
        `with ${networks.length} IRC networks (${networks.join(', ')}), say which one this account is on, as in ` +
        `accounts: { ${first}: ${account} }: services accounts belong to one network, and the same name on ` +
        'another may be someone else, who would pass as this person there',
      dependsOn: [{ doc: 'firebell', path: ['networks', 'irc', '*', 'id'] }],
    });
  for (const network of Object.keys(record(fields.accounts)))
    if (!networks.includes(network))
      findings.push({
        doc,
        path: [...path, 'accounts', network],
        severity: 'error',
        message: unknownName('IRC network', network, networks),
        dependsOn: [{ doc: 'firebell', path: ['networks', 'irc', '*', 'id'] }],
      });
  return findings;
}

/** Runs only when firebell.yaml was read: without it every network would look unknown. */
export function checkIrcAccounts(docs: RawDocs): CheckFinding[] {
  if (docs.firebell === undefined) return [];
  const networks = ircNetworkIds(docs.firebell);
  const people: [DocName, unknown][] = [
    ['contacts', record(docs.contacts).contacts],
    ['whitelist', record(docs.whitelist).whitelist],
  ];
  return people.flatMap(([doc, list]) =>
    items(list).flatMap((item, index) => {
      const irc = record(item).irc;
      return irc === undefined ? [] : checkHandle(doc, irc, [doc, index, 'irc'], networks);
    }),
  );
}
