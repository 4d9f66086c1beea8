/**
 * An off-chat page as an e-mail: the same content in plain text and in HTML (every value escaped), a
 * Message-ID derived from the delivery id (a resend after a crash carries the same one, so a mail client
 * shows one copy), and References/In-Reply-To to the incident's thread id, so every mail about one incident
 * lands in one thread: the page, its reminders and follow-ups.
 */
import { escapeUTF8 } from 'entities';
import { oneLine, type OffChatPage } from '../../core/offchat/page.js';
import type { PublishLinks } from '../ntfy/ntfy-publish.js';

export interface EmailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  readonly references: string;
  readonly inReplyTo?: string;
  readonly priority: 'high' | 'normal';
}

/** The domain part for firebell's ids: the sender's domain, so ids are unique to this deployment. */
export function idDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return match?.[1] ?? 'firebell.invalid';
}

/** The thread every mail about an incident refers to. */
export const incidentThreadId = (incidentId: number, domain: string): string =>
  `<incident-${incidentId}.firebell@${domain}>`;

export const deliveryMessageId = (deliveryId: string, domain: string): string =>
  `<${deliveryId.replace(/[^A-Za-z0-9._-]/g, '')}.firebell@${domain}>`;

const plain = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]+/g, ' ')
    .trim();

const FOOTER: Record<OffChatPage['kind'], string> = {
  page: 'You are paged for this incident.',
  reminder: 'Nobody has acknowledged this incident yet.',
  'follow-up': 'News about an incident you were paged for.',
};

export function emailMessage(
  to: string,
  deliveryId: string,
  page: OffChatPage,
  links: PublishLinks,
  domain: string,
): EmailMessage {
  const subject = oneLine(page.title);
  const summary = plain(page.summary);
  const textLinks = [
    ...(links.ackUrl !== undefined && page.kind !== 'follow-up' ? [`Acknowledge: ${links.ackUrl}`] : []),
    ...(links.incidentUrl !== undefined ? [`The incident: ${links.incidentUrl}`] : []),
  ];
  const htmlLinks = [
    ...(links.ackUrl !== undefined && page.kind !== 'follow-up'
      ? [`<p><a href="${escapeUTF8(links.ackUrl)}">Acknowledge</a></p>`]
      : []),
    ...(links.incidentUrl !== undefined
      ? [`<p><a href="${escapeUTF8(links.incidentUrl)}">Open the incident</a></p>`]
      : []),
  ];
  const thread = incidentThreadId(page.incidentId, domain);
  return {
    to,
    subject,
    text: [
      summary,
      '',
      ...textLinks,
      ...(textLinks.length > 0 ? [''] : []),
      `-- \n${FOOTER[page.kind]}`,
    ].join('\n'),
    html: [
      '<!DOCTYPE html><html><body>',
      `<h1>${escapeUTF8(subject)}</h1>`,
      ...summary.split('\n').map((line) => `<p>${escapeUTF8(line)}</p>`),
      ...htmlLinks,
      `<p><small>${escapeUTF8(FOOTER[page.kind])}</small></p>`,
      '</body></html>',
    ].join('\n'),
    messageId: deliveryMessageId(deliveryId, domain),
    references: thread,
    ...(page.kind === 'page' ? {} : { inReplyTo: thread }),
    priority: page.kind === 'follow-up' ? 'normal' : 'high',
  };
}
