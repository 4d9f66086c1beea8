/**
 * The JSON body ntfy's publish API takes (POST to the server's root URL; docs.ntfy.sh/publish, "Publish as
 * JSON"), built from an off-chat page. Pages are urgent (5: long vibration, pop-over), reminders high (4),
 * follow-ups default (3). The delivery id is the sequence id, so a retry or a resend after a restart
 * replaces the notification on the phone instead of adding a second one.
 */
import { oneLine, type OffChatPage } from '../../core/offchat/page.js';

export interface NtfyAction {
  readonly action: 'view' | 'http';
  readonly label: string;
  readonly url: string;
  readonly method?: 'POST';
  readonly clear?: boolean;
}

export interface NtfyPublish {
  readonly topic: string;
  readonly title: string;
  readonly message: string;
  readonly priority: 1 | 2 | 3 | 4 | 5;
  readonly tags: readonly string[];
  readonly click?: string;
  readonly actions: readonly NtfyAction[];
  readonly sequence_id: string;
}

const PRIORITY: Record<OffChatPage['kind'], NtfyPublish['priority']> = {
  page: 5,
  reminder: 4,
  'follow-up': 3,
};
/** Tags that name an emoji are shown as one before the title (rotating_light: 🚨). */
const TAGS: Record<OffChatPage['kind'], string> = {
  page: 'rotating_light',
  reminder: 'bell',
  'follow-up': 'white_check_mark',
};
/** ntfy turns a message over 4096 bytes into an attachment; a page must read as a notification. */
const MESSAGE_BYTES = 3_500;
const TITLE_CHARS = 200;

function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let cut = text.slice(0, limit);
  while (Buffer.byteLength(cut) > limit - 3) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Multi-line plain text: control characters other than the line break go. */
const plainLines = (text: string): string =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]+/g, ' ')
    .trim();

export interface PublishLinks {
  /** The incident's page on firebell's listener (`publicUrl` + `/incidents/<id>`), when there is one. */
  readonly incidentUrl?: string;
  /** The one-tap acknowledgement link for this contact and incident, when ack links are configured. */
  readonly ackUrl?: string;
}

export function ntfyPublish(
  topic: string,
  deliveryId: string,
  page: OffChatPage,
  links: PublishLinks,
): NtfyPublish {
  const actions: NtfyAction[] = [];
  if (links.ackUrl !== undefined && page.kind !== 'follow-up')
    actions.push({ action: 'http', label: 'Acknowledge', url: links.ackUrl, method: 'POST', clear: true });
  if (links.incidentUrl !== undefined)
    actions.push({ action: 'view', label: 'Open incident', url: links.incidentUrl });
  return {
    topic,
    title: oneLine(page.title).slice(0, TITLE_CHARS),
    message: truncateBytes(plainLines(page.summary), MESSAGE_BYTES),
    priority: PRIORITY[page.kind],
    tags: [TAGS[page.kind], 'firebell'],
    ...(links.incidentUrl === undefined ? {} : { click: links.incidentUrl }),
    actions,
    sequence_id: deliveryId,
  };
}
