/**
 * Pages off chat: for each contact a page reaches, one delivery per way off chat their preferences name
 * (ntfy, e-mail), each through the durable outbox on its own, so one failing holds up none of the others
 * (nor the chat pages, which went first). With `offChat.afterMinutes` the ways off chat wait that long and
 * go only if the incident is still unacknowledged: chat first, the phone later.
 *
 * The wait is a timer on the injected clock, not a stored one: a restart during it drops the delayed
 * push (the chat page went, and the next escalation step pages again, off chat included).
 */
import type { Clock } from '../clock.js';
import type { DeliveryOutcome } from '../delivery.js';
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
  readonly stillUnacknowledged: (incidentId: number) => boolean;
}

export interface PagedIncident {
  readonly id: number;
  readonly summary: string;
  /** The group's name, for the title. */
  readonly where: string;
  readonly tier: number;
  readonly declaredBy: string;
}

export class OffChatPager {
  private readonly timers = new Set<unknown>();

  constructor(private readonly deps: OffChatPagerDeps) {}

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
    const send = (): void => {
      for (const way of ways) void this.deps.sender.sendOffChat(way, page);
    };
    if (plan.delayMs === 0) return send();
    const timer = this.deps.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.deps.stillUnacknowledged(incident.id)) {
        this.deps.logger.info(
          { incident: incident.id, contact: contact.id },
          'acknowledged in chat before the delay ran out: not paged off chat',
        );
        return;
      }
      send();
    }, plan.delayMs);
    this.timers.add(timer);
  }

  stop(): void {
    for (const timer of this.timers) this.deps.clock.clearTimeout(timer);
    this.timers.clear();
  }
}
