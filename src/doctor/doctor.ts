/**
 * `firebell doctor`: every IRC and Matrix network checked at once with the real settings and secrets,
 * each reported in config order as soon as it and those before it are done. What is checked on each
 * network comes from the config here: the channels and rooms of the groups, the topic rights the groups
 * need, and the handles of the contacts and the whitelist.
 */
import type { Config } from '../config/config.js';
import { ircAccountOn } from '../core/irc-accounts.js';
import type { IrcHandle } from '../core/settings.js';
import { diagnoseIrc, type IrcAccountToCheck } from './irc-doctor.js';
import { diagnoseMatrix, type MatrixUserToCheck } from './matrix-doctor.js';
import { renderNetworkReport, summarizeReports, warn, type NetworkReport } from './report.js';

export interface DoctorOptions {
  readonly timeoutMs: number;
  readonly onLine: (line: string) => void;
}

export interface DoctorReport {
  readonly reports: readonly NetworkReport[];
  readonly failures: number;
}

function membersOn(config: Config, network: string): { conversation: string; topic: boolean }[] {
  const seen = new Map<string, { conversation: string; topic: boolean }>();
  for (const group of config.groups)
    for (const member of group.members)
      if (member.network === network) {
        const earlier = seen.get(member.conversation);
        seen.set(member.conversation, {
          conversation: member.conversation,
          topic: (earlier?.topic ?? false) || member.topic,
        });
      }
  return [...seen.values()];
}

/**
 * Each contact's account on `network`, then whitelisted people who are not contacts: each account once.
 * Accounts belong to one network, so only the one a person has there is looked up there.
 */
export function ircAccounts(
  config: Pick<Config, 'contacts' | 'whitelist'>,
  network: string,
): IrcAccountToCheck[] {
  const accounts = new Map<string, IrcAccountToCheck>();
  const add = (who: string, handle: IrcHandle | undefined): void => {
    const account = handle && ircAccountOn(handle, network);
    if (account !== undefined && !accounts.has(account.toLowerCase()))
      accounts.set(account.toLowerCase(), { who, account });
  };
  for (const contact of config.contacts) add(`contact ${contact.id} (${contact.name})`, contact.irc);
  for (const person of config.whitelist) add(`whitelisted ${person.name}`, person.irc);
  return [...accounts.values()];
}

function matrixUsers(config: Config): MatrixUserToCheck[] {
  const users = new Map<string, MatrixUserToCheck>();
  for (const contact of config.contacts)
    if (contact.matrix)
      users.set(contact.matrix, { who: `contact ${contact.id} (${contact.name})`, userId: contact.matrix });
  for (const person of config.whitelist)
    if (person.matrix && !users.has(person.matrix))
      users.set(person.matrix, { who: `whitelisted ${person.name}`, userId: person.matrix });
  return [...users.values()];
}

export async function runDoctor(config: Config, options: DoctorOptions): Promise<DoctorReport> {
  const checks: Promise<NetworkReport>[] = [
    ...config.networks.irc.map((network) =>
      diagnoseIrc({
        network,
        channels: membersOn(config, network.id).map(({ conversation, topic }) => {
          const key = network.channelKeys[conversation];
          return key === undefined ? { name: conversation, topic } : { name: conversation, key, topic };
        }),
        accounts: ircAccounts(config, network.id),
        adminContact: config.bot.admin,
        timeoutMs: options.timeoutMs,
      }),
    ),
    ...config.networks.matrix.map((network) =>
      diagnoseMatrix({
        network,
        rooms: membersOn(config, network.id).map(({ conversation, topic }) => ({
          room: conversation,
          topic,
        })),
        users: matrixUsers(config),
        timeoutMs: options.timeoutMs,
      }),
    ),
  ];
  if (checks.length === 0) {
    const report: NetworkReport = {
      title: 'networks',
      findings: [
        warn(
          'configuration',
          'no IRC or Matrix network is configured: nothing to connect to (the shell needs no check)',
        ),
      ],
    };
    for (const line of renderNetworkReport(report)) options.onLine(line);
    options.onLine(summarizeReports([report]));
    return { reports: [report], failures: 0 };
  }
  const reports: NetworkReport[] = [];
  // Print in config order as soon as each report and those before it are in.
  for (const check of checks) {
    const report = await check;
    reports.push(report);
    for (const line of renderNetworkReport(report)) options.onLine(line);
  }
  options.onLine(summarizeReports(reports));
  const failures = reports
    .flatMap((report) => report.findings)
    .filter((finding) => finding.verdict === 'fail').length;
  return { reports, failures };
}
