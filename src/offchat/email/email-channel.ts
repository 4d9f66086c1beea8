/**
 * The e-mail delivery channel: an off-chat page becomes one mail over SMTP (nodemailer), delivered when the
 * server answers 250 to the message. A 5xx is a refusal (the server will not take it: a wrong address, a
 * policy); a 4xx, a timeout or an unreachable server is retried with the same Message-ID for as long as
 * the channel runs. A mail whose 250 was lost to a timeout may arrive twice; both copies carry the same
 * Message-ID, which mail clients and most servers deduplicate.
 */
import { createTransport, type Transporter } from 'nodemailer';
import { delivered, refused, type Delivery } from '../../core/delivery.js';
import type { OffChatPage } from '../../core/offchat/page.js';
import type { EmailConfig } from '../../config/schema.js';
import { PageChannel, type PageChannelDeps } from '../page-channel.js';
import type { Attempt } from '../retrying.js';
import type { PublishLinks } from '../ntfy/ntfy-publish.js';
import { emailMessage, idDomain } from './email-message.js';

export interface EmailChannelDeps extends PageChannelDeps<string> {
  readonly smtp: EmailConfig;
}

interface SmtpError {
  readonly responseCode?: number;
  readonly code?: string;
  readonly message?: string;
}

export class EmailChannel extends PageChannel<string> {
  private readonly transport: Transporter;
  private readonly domain: string;

  constructor(private readonly deps: EmailChannelDeps) {
    super(deps, { id: 'email', name: 'e-mail', carrier: 'the SMTP server', address: 'e-mail address' });
    const { smtp } = deps;
    this.domain = idDomain(smtp.from);
    const timeout = smtp.timeoutSeconds * 1000;
    this.transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      // Without it nodemailer sends in clear when the server offers no STARTTLS (or a man in the middle
      // strips the offer), and every page carries an ack link, a bearer secret.
      requireTLS: !smtp.secure && !smtp.allowPlaintext,
      ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  override stop(): void {
    super.stop();
    this.transport.close();
  }

  protected attemptFor(
    page: OffChatPage,
    to: string,
    links: PublishLinks,
    delivery: Delivery,
  ): () => Promise<Attempt> {
    const mail = emailMessage(to, delivery.id, page, links, this.domain);
    return () => this.attempt(mail);
  }

  private async attempt(mail: ReturnType<typeof emailMessage>): Promise<Attempt> {
    try {
      const info = await this.transport.sendMail({
        from: this.deps.smtp.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        references: mail.references,
        ...(mail.inReplyTo === undefined ? {} : { inReplyTo: mail.inReplyTo }),
        priority: mail.priority,
      });
      if ((info.rejected ?? []).length > 0)
        return {
          kind: 'settled',
          outcome: refused(this.deps.clock.now(), "the SMTP server rejected the contact's address"),
        };
      return { kind: 'settled', outcome: delivered(this.deps.clock.now(), [mail.messageId]) };
    } catch (error) {
      const smtp = error as SmtpError;
      const reason = `SMTP ${smtp.responseCode ?? smtp.code ?? 'error'}: ${oneLineOf(smtp.message)}`;
      // No STARTTLS (454, or none offered) will not mend by retrying: the page is refused, saying why.
      if (smtp.code === 'ETLS')
        return {
          kind: 'settled',
          outcome: refused(
            this.deps.clock.now(),
            `the SMTP server offers no TLS (STARTTLS), which pages need for their ack links (${reason})`,
          ),
        };
      if (smtp.responseCode !== undefined && smtp.responseCode >= 500)
        return {
          kind: 'settled',
          outcome: refused(this.deps.clock.now(), `the SMTP server refused the page (${reason})`),
        };
      return { kind: 'transient', reason };
    }
  }
}

/**
 * The server's words on one line, without the e-mail addresses they quote ("550 5.1.1 <mara@…>: User
 * unknown"): a refusal's reason is shown on the public status site, beside "page to mara by email".
 */
const oneLineOf = (text: string | undefined): string =>
  (text ?? '')
    .replace(/<?[^\s<>@]+@[^\s<>]+>?/g, '<address>')
    .replace(/\s+/g, ' ')
    .slice(0, 200);
