/**
 * The off-chat channels a configuration asks for: ntfy when any contact has an ntfy topic, e-mail when
 * firebell.yaml has SMTP settings. Links in pages point at firebell's listener (`http.publicUrl`).
 */
import type { Config } from '../config/config.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { OffChatPage } from '../core/offchat/page.js';
import type { OffChatChannel } from '../core/offchat/wiring.js';
import { EmailChannel } from './email/email-channel.js';
import { NtfyChannel } from './ntfy/ntfy-channel.js';
import type { PublishLinks } from './ntfy/ntfy-publish.js';

/** The incident's page on firebell's listener; ack links join when they are configured. */
export function linksFrom(publicUrl: string | undefined): (page: OffChatPage) => PublishLinks {
  return (page) =>
    publicUrl === undefined
      ? {}
      : {
          incidentUrl: new URL(
            `incidents/${page.incidentId}`,
            publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`,
          ).href,
        };
}

export function offChatChannels(config: Config, clock: Clock, logger: Logger): OffChatChannel[] {
  const contact = (id: string): Config['contacts'][number] | undefined =>
    config.contacts.find((candidate) => candidate.id === id);
  const linksFor = linksFrom(config.bot.publicUrl);
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
