/**
 * How the core takes the ways off chat: their channels join the outbox's channels beside the chat
 * networks, and one OffChatPager sends through the outbox. Kept here so the core's assembly stays short.
 */
import type { Clock } from '../clock.js';
import type { DeliveryChannel } from '../delivery.js';
import type { IncidentService } from '../incident-service.js';
import type { JournaledKeyValues } from '../key-values.js';
import type { Logger } from '../logger.js';
import type { OffChatWay } from '../settings.js';
import { OffChatPager, type OffChatSender } from './off-chat-pager.js';

/** An off-chat channel (ntfy, e-mail) as the core holds it: it stops retrying when firebell stops. */
export interface OffChatChannel extends DeliveryChannel {
  readonly id: OffChatWay;
  stop(): void;
}

/** The outbox's channels: the chat networks and the ways off chat. */
export function withOffChat(
  networks: ReadonlyMap<string, DeliveryChannel>,
  offChat: readonly OffChatChannel[] | undefined,
): ReadonlyMap<string, DeliveryChannel> {
  const channels = new Map<string, DeliveryChannel>(networks);
  for (const channel of offChat ?? []) channels.set(channel.id, channel);
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
    stillUnacknowledged: (id) => {
      const incident = service().get(id);
      return incident !== undefined && incident.open && incident.phase !== 'assigned';
    },
  });
}
