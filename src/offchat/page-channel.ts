/**
 * What every way off chat does with a delivery, whatever carries it: it takes only off-chat pages, looks
 * the contact's address up at delivery (they may have lost it since the page was stored), retries its
 * attempt in one loop until it settles, the channel stops (what waits then stays pending for the next
 * start) or the page is no longer wanted (its incident taken meanwhile), and logs one line per settled
 * page. The ways differ only in their attempt.
 */
import type { Clock } from '../core/clock.js';
import { refused, type Delivery, type DeliveryChannel, type DeliveryOutcome } from '../core/delivery.js';
import type { Logger } from '../core/logger.js';
import type { OffChatPage } from '../core/offchat/page.js';
import type { OffChatWay } from '../core/settings.js';
import type { PublishLinks } from './ntfy/ntfy-publish.js';
import { DEFAULT_RETRY, RetryLoop, type Attempt, type RetryPolicy } from './retrying.js';

export interface PageChannelDeps<Address> {
  /** The contact's address on this way, or undefined when contacts.yaml gives none. */
  readonly addressOf: (contactId: string) => Address | undefined;
  /** The page's links; the delivery makes its ack link unique (and the same on a resend). */
  readonly linksFor: (page: OffChatPage, delivery: Delivery) => PublishLinks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
}

/** How a way is named in refusals and the log. */
export interface PageWay {
  /** The delivery channel's id. */
  readonly id: OffChatWay;
  /** The way, as people say it: `e-mail`. */
  readonly name: string;
  /** Who takes the page: `the SMTP server`. */
  readonly carrier: string;
  /** What a contact lacks without it: `e-mail address`. */
  readonly address: string;
}

export abstract class PageChannel<Address> implements DeliveryChannel {
  readonly id: OffChatWay;
  protected readonly log: Logger;
  private readonly loop: RetryLoop;
  private readonly stopController = new AbortController();

  constructor(
    private readonly common: PageChannelDeps<Address>,
    private readonly way: PageWay,
  ) {
    this.id = way.id;
    this.log = common.logger.child({ channel: way.id });
    this.loop = new RetryLoop(common.retry ?? DEFAULT_RETRY, common.clock, (reason, attempt, delayMs) =>
      this.log.warn({ reason, attempt, delayMs }, `${way.carrier} did not take a page yet; trying again`),
    );
  }

  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    return this.deliverWhile(delivery, () => true);
  }

  /** Delivers, asking `wanted` before each attempt (the incident may be acknowledged while it retries). */
  async deliverWhile(delivery: Delivery, wanted: () => boolean): Promise<DeliveryOutcome> {
    const now = (): number => this.common.clock.now();
    if (delivery.content.kind !== 'offchat')
      return refused(now(), `${this.way.name} carries only off-chat pages`);
    const page = delivery.content.page;
    const address = this.common.addressOf(page.contactId);
    if (address === undefined)
      return refused(now(), `${page.contactId} has no ${this.way.address} in contacts.yaml`);
    const attempt = this.attemptFor(page, address, this.common.linksFor(page, delivery), delivery);
    const outcome = await this.loop.run(
      (signal) => (wanted() ? attempt(signal) : Promise.resolve(this.unwanted(page))),
      this.stopController.signal,
    );
    this.log.info(
      { delivery: delivery.id, incident: page.incidentId, contact: page.contactId, status: outcome.status },
      `${this.way.name} page settled`,
    );
    return outcome;
  }

  /** Settled unsent: nobody needs the page any more, and a resend at the next start would wake them. */
  private unwanted(page: OffChatPage): Attempt {
    const reason = `not sent: #${page.incidentId} was acknowledged or resolved before ${this.way.carrier} took the page`;
    return { kind: 'settled', outcome: refused(this.common.clock.now(), reason) };
  }

  /** Stops retrying: what waits settles `abandoned` and stays pending for the next start. */
  stop(): void {
    this.loop.stop();
    this.stopController.abort();
  }

  /** One attempt at carrying the page, made again with the same delivery id until it settles. */
  protected abstract attemptFor(
    page: OffChatPage,
    address: Address,
    links: PublishLinks,
    delivery: Delivery,
  ): (stopSignal: AbortSignal) => Promise<Attempt>;
}
