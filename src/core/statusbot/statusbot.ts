/**
 * The statusbot, compatible with the OpenStack one: `#status alert|notice|log|ok` and `#success`, posted by
 * the people in whitelist.yaml (verified: IRC services account or Matrix user id, never a nick).
 *
 *   alert   a notice in every status channel and room, each topic set to the alert (the previous topic kept
 *           in the store, not only in memory), alert.json = {"alert": msg}
 *   notice  a notice everywhere
 *   log     recorded only
 *   ok      topics restored from the store, the alert cleared, an optional notice
 *
 * Fan-out is queued at bulk priority on each network's paced queue and the topics are set concurrently, so
 * the bot stays responsive (the old statusbot slept 2 s per line, deaf for minutes). The command itself
 * ends once the alert, the notices and the topic changes are recorded (they commit together); setting
 * the topics and the closing report run after it, in the background. In `external` mode another statusbot
 * posts; firebell only prompts, and takes that bot's notices as the status being posted.
 *
 * Why this file is long: a status update's two halves, what the command records and what runs after it
 * (topics saved, set and restored in each channel's turn, alert.json, the closing report), must be read
 * side by side to see that they agree; the history's rendering and the turns already live beside it.
 */
import type { Actor, StatusKind } from '../../../machines/incident-types.js';
import type { Directory } from '../directory.js';
import type { Groups, GroupMember } from '../groups.js';
import type { IncidentService } from '../incident-service.js';
import type { Logger } from '../logger.js';
import type { InboundMessage } from '../messages.js';
import type { ChatNetwork } from '../network.js';
import type { Outbox, Speaker } from '../outbox.js';
import type { DeliveryOutcome } from '../delivery.js';
import { checkPermission } from '../permissions.js';
import { bold, code, rich, text, type RichText } from '../rich-text.js';
import type { StatusEntry, StatusStore } from '../store.js';
import { formatDuration } from '../format/duration.js';
import { shorten } from '../format/shorten.js';

import { renderStatusLog } from './status-log.js';
import { Turns } from './turns.js';
export { renderStatusLog };
import type { CommandContext, CommandHandlers } from '../commands/handler.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../error-message.js';

/** Where `alert.json` goes (a file, atomically); a later issue adds the HTTP status page. */
export interface AlertPublisher {
  publish(alert: string | null): Promise<void>;
}

export interface StatusbotDeps {
  readonly mode: 'builtin' | 'external';
  readonly externalBots: readonly { readonly network: string; readonly nick: string }[];
  readonly groups: Groups;
  readonly directory: Directory;
  readonly networks: ReadonlyMap<string, ChatNetwork>;
  readonly outbox: Outbox;
  readonly speaker: Speaker;
  readonly store: StatusStore;
  readonly alert: AlertPublisher;
  readonly service: IncidentService;
  /** Runs the callback once everything recorded so far is committed (the journal's `afterCommit`). */
  readonly afterCommit: (callback: () => void) => void;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Named in refusals, so people know where the list lives and that it changes by review. */
  readonly whitelistFile: string;
}

/** `!log` without a number shows this many entries; a channel gets no more than this inline. */
export const DEFAULT_LOG_ENTRIES = 5;
/** `!status` names this many recent entries besides the alert. */
const OVERVIEW_ENTRIES = 3;

/** The statusbot's broadcast line, as the OpenStack statusbot wrote it. */
export const noticeText = (message: string): string => `NOTICE: ${message}`;

interface TopicOutcome {
  readonly member: GroupMember;
  /** confirmed: the server said the topic is set; refused: it said no; unconfirmed: no answer in time. */
  readonly result: 'confirmed' | 'refused' | 'unconfirmed';
  readonly reason?: string;
}

export class Statusbot {
  /** The background halves of `alert` and `ok` still running. */
  private readonly finishing = new Set<Promise<void>>();
  /** Topic changes, one at a time per channel or room, in the order posted. */
  private readonly turns = new Turns();

  constructor(private readonly deps: StatusbotDeps) {}

  /** Resolves once the background work started so far is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.finishing.size > 0) await Promise.allSettled([...this.finishing]);
  }

  handlers(): CommandHandlers {
    return {
      'status-update': (command, context) => this.statusUpdate(command.kind, command.text, context),
      success: (command, context) => {
        this.deps.store.record({ kind: 'success', text: command.text, by: context.actor, at: context.at });
        context.reply('Added your success to the status history. Thank you!');
      },
      log: async (command, context) => {
        const entries = await this.history(command.count ?? DEFAULT_LOG_ENTRIES);
        if (entries.length === 0) {
          context.reply(
            rich(
              'The status history is empty: nothing was posted with ',
              code('#status'),
              ' or ',
              code('#success'),
              ' yet.',
            ),
          );
          return;
        }
        const listing = renderStatusLog(entries, context.at);
        if (entries.length <= DEFAULT_LOG_ENTRIES || !context.group) {
          context.reply(listing);
          return;
        }
        context.reply(`Sent you the last ${entries.length} status entries in a private message.`);
        context.replyPrivately(listing, 'bulk');
      },
    };
  }

  /**
   * `!status`'s word on status updates: the alert that is up (or that none is) and the latest entries;
   * undefined when nothing was ever posted.
   */
  async overview(now: number): Promise<RichText | undefined> {
    const [alert, latest] = await Promise.all([
      this.deps.store.currentAlert(),
      this.history(OVERVIEW_ENTRIES),
    ]);
    if (!alert && latest.length === 0) return undefined;
    const alertPart = alert
      ? rich(bold('Status alert up'), ` (${ago(alert, now)}): ${shorten(alert.text, 160)}.`)
      : rich('No status alert is up.');
    const others = latest.filter((entry) => entry !== alert && !(alert && sameEntry(entry, alert)));
    const latestPart =
      others.length === 0
        ? rich('')
        : rich(
            ' Latest: ',
            others
              .map((entry) => `${entry.kind} (${ago(entry, now)}): ${shorten(entry.text, 80)}`)
              .join('; '),
            '.',
          );
    return rich(alertPart, latestPart, ' ', code('!log'), ' shows the history.');
  }

  /** The latest status entries, newest first: the one read of the history, kept small and awaited. */
  private async history(limit: number): Promise<StatusEntry[]> {
    return [...(await this.deps.store.history(limit))];
  }

  /**
   * External mode: the other bot's notice in a group's channel is a status posted there. Its nick alone is
   * no proof (anyone may hold it while the bot is away): it must be verified as the account of that name.
   */
  observe(message: InboundMessage): void {
    if (this.deps.mode !== 'external' || message.style !== 'notice' || !message.text.startsWith('NOTICE: '))
      return;
    const { sender, conversation } = message;
    if (conversation.direct || sender.account === undefined || sender.verification === 'none') return;
    const fromBot = this.deps.externalBots.some(
      (bot) =>
        bot.network === conversation.network &&
        this.deps.groups.names.same(bot.network, bot.nick, sender.id) &&
        this.deps.groups.names.same(bot.network, bot.nick, sender.account as string),
    );
    const group = this.deps.groups.of(conversation)?.id;
    if (!fromBot || group === undefined) return;
    const by: Actor = { name: sender.name, network: conversation.network, account: sender.account };
    this.markIncidents(group, 'notice', message.text.slice(8), by, message.at);
  }

  private statusUpdate(kind: StatusKind, message: string, context: CommandContext): void {
    if (this.deps.mode === 'external') return; // the other statusbot answers
    const check = checkPermission(
      'whitelist',
      'post status updates',
      context.network,
      context.message.sender,
      this.deps.directory,
      this.deps.whitelistFile,
    );
    if (!check.ok) {
      context.reply(check.reason);
      return;
    }
    const entry = { kind, text: message, by: context.actor, at: context.at };
    const members = this.statusMembers();
    this.deps.store.record(entry);
    this.markIncidents(context.group?.id, kind, message, context.actor, context.at);
    this.deps.logger.info(
      { kind, by: context.actor.name, account: context.actor.account, channels: members.length },
      `#status ${kind}`,
    );

    switch (kind) {
      case 'log':
        context.reply('Logged.');
        return;
      case 'notice':
        context.reply(`Sending notice to ${channelsAndRooms(members.length)}.`);
        this.broadcast(members, message);
        return;
      case 'alert': {
        context.reply(`Sending alert to ${channelsAndRooms(members.length)}; changing their topics.`);
        this.broadcast(members, message);
        this.deps.store.setAlert(entry);
        this.inBackground(async () => {
          const [topics] = await Promise.all([this.setTopics(members, message), this.publish(message)]);
          context.reply(`Finished sending alert${describeTopics(topics)}`);
        });
        return;
      }
      case 'ok': {
        context.reply(`Sending ok: restoring topics${message ? ' and sending the notice' : ''}.`);
        // Recorded with the command, as an alert is: cleared later, it would clear an alert posted meanwhile.
        this.deps.store.setAlert(null);
        this.inBackground(async () => {
          const [topics] = await Promise.all([this.restoreTopics(members), this.publish(null)]);
          if (message) this.broadcast(members, message);
          context.reply(`Finished sending ok${describeTopics(topics)}`);
        });
        return;
      }
    }
  }

  /**
   * Starts work that outlives the command (topics take a pacing slot each), after the command's writes
   * are committed: alert.json and the topics must not run ahead of the stored alert.
   */
  private inBackground(work: () => Promise<void>): void {
    const run = new Promise<void>((resolve) => this.deps.afterCommit(resolve))
      .then(work)
      .catch((error: unknown) => this.deps.logger.error({ err: error }, '#status failed to finish'));
    this.finishing.add(run);
    void run.finally(() => this.finishing.delete(run));
  }

  /** Every channel and room of every group that takes status updates, once each. */
  private statusMembers(): GroupMember[] {
    const seen = new Set<string>();
    return this.deps.groups.all
      .flatMap((group) => group.members)
      .filter((member) => {
        const key = `${member.network}\u0000${this.deps.groups.names.key(member.network, member.conversation)}`;
        if (!member.status || seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }

  private broadcast(members: readonly GroupMember[], message: string): void {
    for (const member of members) {
      this.deps.speaker.toConversation(
        { network: member.network, id: member.conversation, direct: false },
        [text(noticeText(message))],
        {
          priority: 'bulk',
          style: 'notice',
          purpose: 'status',
        },
      );
    }
  }

  private async setTopics(members: readonly GroupMember[], alert: string): Promise<TopicOutcome[]> {
    return Promise.all(
      members
        .filter((member) => member.topic)
        .map((member) =>
          this.inTurn(member, async (): Promise<TopicOutcome> => {
            const network = this.deps.networks.get(member.network);
            if (!network) return { member, result: 'refused', reason: 'network not configured' };
            try {
              const current = await network.getTopic(member.conversation);
              const saved = this.deps.store.savedTopic(member.network, member.conversation);
              // The topic before the first alert is what `ok` restores, even across several alerts; a channel
              // that had none gets none back, rather than keeping the alert as its topic.
              if (saved === undefined && current !== alert) {
                this.deps.store.saveTopicIfUnsaved(
                  member.network,
                  member.conversation,
                  current ?? '',
                  this.deps.clock.now(),
                );
              }
              const outcome = await this.deps.outbox.setTopic(member.network, member.conversation, alert);
              return outcome.status === 'delivered'
                ? { member, result: 'confirmed' }
                : this.topicFailed(member, outcome);
            } catch (error) {
              return this.topicFailed(member, thrown(error));
            }
          }),
        ),
    );
  }

  /** Restores the saved topics; what is saved is read in the channel's turn, after the changes before. */
  private async restoreTopics(members: readonly GroupMember[]): Promise<TopicOutcome[]> {
    const outcomes = await Promise.all(
      members
        .filter((member) => member.topic)
        .map((member) =>
          this.inTurn(member, async (): Promise<TopicOutcome | undefined> => {
            const network = this.deps.networks.get(member.network);
            const saved = this.deps.store.savedTopic(member.network, member.conversation);
            if (saved === undefined) return undefined;
            if (!network) return { member, result: 'refused', reason: 'network not configured' };
            try {
              const outcome = await this.deps.outbox.setTopic(member.network, member.conversation, saved);
              if (outcome.status !== 'delivered') return this.topicFailed(member, outcome);
              this.deps.store.clearSavedTopic(member.network, member.conversation);
              return { member, result: 'confirmed' };
            } catch (error) {
              return this.topicFailed(member, thrown(error));
            }
          }),
        ),
    );
    return outcomes.filter((outcome) => outcome !== undefined);
  }

  private inTurn<T>(member: GroupMember, work: () => Promise<T>): Promise<T> {
    const key = `${member.network}\u0000${this.deps.groups.names.key(member.network, member.conversation)}`;
    return this.turns.run(key, work);
  }

  private topicFailed(
    member: GroupMember,
    outcome: Pick<DeliveryOutcome, 'status'> & { readonly reason: string },
  ): TopicOutcome {
    const { reason } = outcome;
    this.deps.logger.warn(
      { network: member.network, conversation: member.conversation, reason, status: outcome.status },
      'could not set the topic',
    );
    // Written but not answered in time, or not written before firebell stopped: it may yet have changed.
    const result =
      outcome.status === 'timed-out' || outcome.status === 'abandoned' ? 'unconfirmed' : 'refused';
    return { member, result, reason };
  }

  private async publish(alert: string | null): Promise<void> {
    try {
      await this.deps.alert.publish(alert);
    } catch (error) {
      this.deps.logger.error({ err: error }, 'could not publish alert.json');
    }
  }

  /** A status posted about open incidents stops their reminders (and records it in their timelines). */
  private markIncidents(
    groupId: string | undefined,
    kind: StatusKind,
    message: string,
    by: Actor,
    at: number,
  ): void {
    for (const incident of this.deps.service.open()) {
      if (groupId !== undefined && incident.context.group !== groupId) continue;
      this.deps.service.send(incident.id, { type: 'incident.status', at, by, kind, text: message });
    }
  }
}

function thrown(error: unknown): Pick<DeliveryOutcome, 'status'> & { readonly reason: string } {
  return { status: 'refused', reason: errorMessage(error) };
}

/** "1 channel or room", "4 channels and rooms". */
export function channelsAndRooms(count: number): string {
  return count === 1 ? '1 channel or room' : `${count} channels and rooms`;
}

const ago = (entry: StatusEntry, now: number): string =>
  `${entry.by.name}, ${formatDuration(now - entry.at)} ago`;

const sameEntry = (a: StatusEntry, b: StatusEntry): boolean =>
  a.kind === b.kind && a.at === b.at && a.text === b.text;

/**
 * The closing report: the topics the servers confirmed, those they refused (with their reasons), and those
 * that got no answer in time (the change may still have happened).
 */
function describeTopics(topics: readonly TopicOutcome[]): string {
  const listed = (result: TopicOutcome['result']): { count: number; why: string } => {
    const matching = topics.filter((topic) => topic.result === result);
    const why = matching
      .map((topic) => `${topic.member.conversation}: ${topic.reason ?? 'failed'}`)
      .join('; ');
    return { count: matching.length, why };
  };
  const confirmed = listed('confirmed').count;
  const refused = listed('refused');
  const unconfirmed = listed('unconfirmed');
  return (
    `: topics changed in ${confirmed}` +
    (refused.count > 0 ? `, not in ${refused.count} (${refused.why})` : '') +
    (unconfirmed.count > 0 ? `; unconfirmed in ${unconfirmed.count} (${unconfirmed.why})` : '') +
    '.'
  );
}
