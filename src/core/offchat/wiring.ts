/**
 * How the core takes the ways off chat: their channels join the outbox's channels beside the chat
 * networks, and one OffChatPager sends through the outbox. Kept here so the core's assembly stays short.
 */
import type { Clock } from '../clock.js';
import type { Delivery, DeliveryChannel, DeliveryOutcome } from '../delivery.js';
import type { IncidentService } from '../incident-service.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { Logger } from '../logger.js';
import type { OffChatWay } from '../settings.js';
import { OffChatPager, type OffChatSender } from './off-chat-pager.js';
import type { OffChatPage } from './page.js';

/** An off-chat channel (ntfy, e-mail) as the core holds it: it stops retrying when firebell stops. */
export interface OffChatChannel extends DeliveryChannel {
  readonly id: OffChatWay;
  /** Delivers, asking `wanted` before each attempt: a page nobody needs any more settles unsent. */
  deliverWhile(delivery: Delivery, wanted: () => boolean): Promise<DeliveryOutcome>;
  stop(): void;
}

/**
 * A page or reminder asks for someone only while its incident is open and nobody holds it; news (a
 * follow-up) always goes. Asked before each attempt: a carrier down for minutes, or a restart, must not
 * wake someone later for an incident acknowledged or resolved meanwhile.
 */
export function offChatPageWanted(service: Pick<IncidentService, 'get'>, page: OffChatPage): boolean {
  if (page.kind === 'follow-up') return true;
  const incident = service.get(page.incidentId);
  return incident !== undefined && incident.open && incident.phase !== 'assigned';
}

/** The outbox's channels: the chat networks and the ways off chat, each page sent only while wanted. */
export function withOffChat(
  networks: ReadonlyMap<string, DeliveryChannel>,
  offChat: readonly OffChatChannel[] | undefined,
  service: () => Pick<IncidentService, 'get'>,
): ReadonlyMap<string, DeliveryChannel> {
  const channels = new Map<string, DeliveryChannel>(networks);
  for (const channel of offChat ?? [])
    channels.set(channel.id, {
      id: channel.id,
      deliver: (delivery) =>
        channel.deliverWhile(delivery, () =>
          delivery.content.kind === 'offchat' ? offChatPageWanted(service(), delivery.content.page) : true,
        ),
    });
  return channels;
}

export function offChatPagerFor(
  core: {
    readonly offChat?: readonly OffChatChannel[] | undefined;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly durable: { readonly keyValues: JournaledKeyValues };
  },
  sender: OffChatSender | undefined,
  service: () => IncidentService,
): OffChatPager | undefined {
  const { offChat: channels, clock, logger } = core;
  if (!channels || channels.length === 0 || !sender) return undefined;
  return new OffChatPager({
    sender,
    clock,
    logger,
    keyValues: core.durable.keyValues,
    ways: new Set(channels.map((channel) => channel.id)),
    stillUnacknowledged: (page) => offChatPageWanted(service(), page),
  });
}
