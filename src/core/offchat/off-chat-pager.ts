/**
 * Pages off chat: for each contact a page reaches, one delivery per way off chat their preferences name
 * (ntfy, e-mail), each through the durable outbox on its own, so one failing holds up none of the others
 * (nor the chat pages, which went first). With `offChat.afterMinutes` the ways off chat wait that long and
 * go only if the incident is still unacknowledged: chat first, the phone later.
 *
 * The wait is stored (the journaled key-values, committed with the transition that paged) and re-armed at
 * start, so a restart during it neither drops the delayed push nor sends it twice: it goes when it falls
 * due, at once if that was while firebell was away, and only if nobody acknowledged meanwhile.
 */
import type { Clock } from '../clock.js';
import type { DeliveryOutcome } from '../delivery.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { Logger } from '../logger.js';
import type { Contact, OffChatWay } from '../settings.js';
import { oneLine, type OffChatPage, type OffChatPageKind } from './page.js';
import { offChatPlan } from './ways.js';

/** Where off-chat deliveries go: the durable outbox. */
export interface OffChatSender {
  sendOffChat(way: OffChatWay, page: OffChatPage): Promise<DeliveryOutcome>;
}

export interface OffChatPagerDeps {
  readonly sender: OffChatSender;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ways this firebell has a channel for (ntfy always can; e-mail only with SMTP settings). */
  readonly ways: ReadonlySet<OffChatWay>;
  /** Asked when a delayed page falls due: only an incident nobody has acknowledged goes off chat. */
  readonly stillUnacknowledged: (page: OffChatPage) => boolean;
  /** Where delayed pages wait, so that a restart keeps them. */
  readonly keyValues: JournaledKeyValues;
}

/** A page waiting for its contact's delay, as stored. */
interface Delayed {
  readonly dueAt: number;
  readonly ways: readonly OffChatWay[];
  readonly page: OffChatPage;
}

const DELAYED = 'offchat-delayed';

export interface PagedIncident {
  readonly id: number;
  readonly summary: string;
  /** The group's name, for the title. */
  readonly where: string;
  readonly tier: number;
  readonly declaredBy: string;
}

export class OffChatPager {
  private readonly timers = new Map<string, unknown>();

  constructor(private readonly deps: OffChatPagerDeps) {}

  /** Re-arms the delayed pages a previous run stored (an overdue one goes at once). */
  start(): void {
    for (const [key, value] of this.deps.keyValues.entries(DELAYED)) {
      const delayed = parseDelayed(value);
      if (delayed) this.arm(key, delayed.dueAt);
      else this.deps.keyValues.delete(DELAYED, key);
    }
  }

  /** Sends (now or after the contact's delay) the page on every way off chat the contact wants. */
  page(contact: Contact, incident: PagedIncident, kind: Exclude<OffChatPageKind, 'follow-up'>): void {
    const plan = offChatPlan(contact, kind, this.deps.ways.has('email'));
    const ways = plan.ways.filter((way) => this.deps.ways.has(way));
    if (ways.length === 0) return;
    const page: OffChatPage = {
      contactId: contact.id,
      incidentId: incident.id,
      kind,
      title: oneLine(`#${incident.id} ${incident.summary} (${incident.where})`),
      summary: [
        incident.summary,
        `${kind === 'page' ? 'Paging' : 'Still paging'} tier ${incident.tier}; declared by ${incident.declaredBy}. Nobody has acknowledged yet.`,
      ].join('\n'),
    };
    if (plan.delayMs === 0) return this.send(ways, page);
    const dueAt = this.deps.clock.now() + plan.delayMs;
    const key = `${incident.id}:${contact.id}:${kind}:${dueAt}`;
    this.deps.keyValues.set(DELAYED, key, JSON.stringify({ dueAt, ways, page } satisfies Delayed));
    this.arm(key, dueAt);
  }

  stop(): void {
    for (const timer of this.timers.values()) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }

  private send(ways: readonly OffChatWay[], page: OffChatPage): void {
    for (const way of ways) void this.deps.sender.sendOffChat(way, page);
  }

  private arm(key: string, dueAt: number): void {
    if (this.timers.has(key)) return;
    const timer = this.deps.clock.setTimeout(() => this.due(key), Math.max(0, dueAt - this.deps.clock.now()));
    this.timers.set(key, timer);
  }

  /** Forgotten and sent in one task, so one commit holds both: a crash repeats neither or sends neither. */
  private due(key: string): void {
    this.timers.delete(key);
    const delayed = parseDelayed(this.deps.keyValues.get(DELAYED, key));
    this.deps.keyValues.delete(DELAYED, key);
    if (!delayed) return;
    const { page } = delayed;
    if (!this.deps.stillUnacknowledged(page)) {
      this.deps.logger.info(
        { incident: page.incidentId, contact: page.contactId },
        'acknowledged in chat before the delay ran out: not paged off chat',
      );
      return;
    }
    this.send(
      delayed.ways.filter((way) => this.deps.ways.has(way)),
      page,
    );
  }
}

function parseDelayed(value: string | undefined): Delayed | undefined {
  if (value === undefined) return undefined;
  try {
    const delayed = JSON.parse(value) as Partial<Delayed>;
    return typeof delayed.dueAt === 'number' && Array.isArray(delayed.ways) && delayed.page
      ? (delayed as Delayed)
      : undefined;
  } catch {
    return undefined;
  }
}
