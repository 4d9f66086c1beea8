/**
 * `firebell doctor`: every IRC and Matrix network checked at once with the real settings and secrets,
 * each reported in config order as soon as it and those before it are done. What is checked on each
 * network comes from the config here: the channels and rooms of the groups, the topic rights the groups
 * need, and the handles of the contacts and the whitelist.
 */
import type { Config } from '../config/config.js';
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

/** Each contact's account, then whitelisted people who are not contacts: each account once. */
function ircAccounts(config: Config): IrcAccountToCheck[] {
  const accounts = new Map<string, IrcAccountToCheck>();
  for (const contact of config.contacts)
    if (contact.irc)
      accounts.set(contact.irc.account.toLowerCase(), {
        who: `contact ${contact.id} (${contact.name})`,
        account: contact.irc.account,
      });
  for (const person of config.whitelist)
    if (person.irc && !accounts.has(person.irc.account.toLowerCase()))
      accounts.set(person.irc.account.toLowerCase(), {
        who: `whitelisted ${person.name}`,
        account: person.irc.account,
      });
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
        accounts: ircAccounts(config),
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
