/**
 * The off-chat channels a configuration asks for: ntfy when any contact has an ntfy topic, e-mail when
 * firebell.yaml has SMTP settings. Links in pages point at firebell's listener (`http.publicUrl`), and
 * with `ackLinks` each page carries its own signed acknowledgement link.
 */
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Delivery } from '../core/delivery.js';
import type { Logger } from '../core/logger.js';
import type { OffChatPage } from '../core/offchat/page.js';
import type { OffChatChannel } from '../core/offchat/wiring.js';
import { ackUrl, baseOf, type AckLinkSettings } from './ack-links.js';
import { EmailChannel } from './email/email-channel.js';
import { NtfyChannel } from './ntfy/ntfy-channel.js';
import type { PublishLinks } from './ntfy/ntfy-publish.js';

/**
 * The incident's page on firebell's listener and, with `ackLinks` configured, the one-tap acknowledgement
 * link of this delivery (pages and reminders only: a follow-up asks for nothing).
 */
export function linksFrom(
  publicUrl: string | undefined,
  ackLinks?: AckLinkSettings,
): (page: OffChatPage, delivery: Delivery) => PublishLinks {
  return (page, delivery) => {
    if (publicUrl === undefined) return {};
    const incidentUrl = new URL(`incidents/${page.incidentId}`, baseOf(publicUrl)).href;
    const way = delivery.channel === 'email' ? 'email' : 'ntfy';
    if (ackLinks === undefined || page.kind === 'follow-up') return { incidentUrl };
    return { incidentUrl, ackUrl: ackUrl(publicUrl, ackLinks, page, delivery, way) };
  };
}

export function offChatChannels(config: Config, clock: Clock, logger: Logger): OffChatChannel[] {
  const contact = (id: string): Config['contacts'][number] | undefined =>
    config.contacts.find((candidate) => candidate.id === id);
  const linksFor = linksFrom(config.bot.publicUrl, config.ackLinks);
  const channels: OffChatChannel[] = [];
  if (config.contacts.some((candidate) => candidate.ntfy !== undefined))
    channels.push(
      new NtfyChannel({
        addressOf: (id) => {
          const ntfy = contact(id)?.ntfy;
          return (
            ntfy && {
              server: ntfy.server,
              topic: ntfy.topic,
              ...(ntfy.token === undefined ? {} : { token: ntfy.token }),
            }
          );
        },
        linksFor,
        clock,
        logger,
      }),
    );
  if (config.email)
    channels.push(
      new EmailChannel({
        smtp: config.email,
        addressOf: (id) => contact(id)?.email,
        linksFor,
        clock,
        logger,
      }),
    );
  return channels;
}
