/**
 * The e-mail delivery channel: an off-chat page becomes one mail over SMTP (nodemailer), delivered when the
 * server answers 250 to the message. A 5xx is a refusal (the server will not take it: a wrong address, a
 * policy); a 4xx, a timeout or an unreachable server is retried with the same Message-ID for as long as
 * the channel runs. A mail whose 250 was lost to a timeout may arrive twice; both copies carry the same
 * Message-ID, which mail clients and most servers deduplicate.
 */
import { createTransport, type Transporter } from 'nodemailer';
import type { Clock } from '../../core/clock.js';
import {
  delivered,
  refused,
  type Delivery,
  type DeliveryChannel,
  type DeliveryOutcome,
} from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OffChatPage } from '../../core/offchat/page.js';
import type { EmailConfig } from '../../config/schema.js';
import { DEFAULT_RETRY, RetryLoop, type Attempt, type RetryPolicy } from '../retrying.js';
import type { PublishLinks } from '../ntfy/ntfy-publish.js';
import { emailMessage, idDomain } from './email-message.js';

export interface EmailChannelDeps {
  readonly smtp: EmailConfig;
  readonly addressOf: (contactId: string) => string | undefined;
  /** The page's links; the delivery makes its ack link unique (and the same on a resend). */
  readonly linksFor: (page: OffChatPage, delivery: Delivery) => PublishLinks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
}

interface SmtpError {
  readonly responseCode?: number;
  readonly code?: string;
  readonly message?: string;
}

export class EmailChannel implements DeliveryChannel {
  readonly id = 'email';
  private readonly transport: Transporter;
  private readonly loop: RetryLoop;
  private readonly stopController = new AbortController();
  private readonly log: Logger;
  private readonly domain: string;

  constructor(private readonly deps: EmailChannelDeps) {
    const { smtp } = deps;
    this.log = deps.logger.child({ channel: 'email' });
    this.domain = idDomain(smtp.from);
    const timeout = smtp.timeoutSeconds * 1000;
    this.transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user === undefined ? {} : { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
    this.loop = new RetryLoop(deps.retry ?? DEFAULT_RETRY, deps.clock, (reason, attempt, delayMs) =>
      this.log.warn({ reason, attempt, delayMs }, 'the SMTP server did not take a page yet; trying again'),
    );
  }

  async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const now = (): number => this.deps.clock.now();
    if (delivery.content.kind !== 'offchat') return refused(now(), 'e-mail carries only off-chat pages');
    const page = delivery.content.page;
    const to = this.deps.addressOf(page.contactId);
    if (to === undefined) return refused(now(), `${page.contactId} has no e-mail address in contacts.yaml`);
    const mail = emailMessage(to, delivery.id, page, this.deps.linksFor(page, delivery), this.domain);
    const outcome = await this.loop.run(() => this.attempt(mail), this.stopController.signal);
    this.log.info(
      { delivery: delivery.id, incident: page.incidentId, contact: page.contactId, status: outcome.status },
      'e-mail page settled',
    );
    return outcome;
  }

  stop(): void {
    this.loop.stop();
    this.stopController.abort();
    this.transport.close();
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
          outcome: refused(this.deps.clock.now(), `the SMTP server rejected ${mail.to}`),
        };
      return { kind: 'settled', outcome: delivered(this.deps.clock.now(), [mail.messageId]) };
    } catch (error) {
      const smtp = error as SmtpError;
      const reason = `SMTP ${smtp.responseCode ?? smtp.code ?? 'error'}: ${oneLineOf(smtp.message)}`;
      if (smtp.responseCode !== undefined && smtp.responseCode >= 500)
        return {
          kind: 'settled',
          outcome: refused(this.deps.clock.now(), `the SMTP server refused the page (${reason})`),
        };
      return { kind: 'transient', reason };
    }
  }
}

const oneLineOf = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').slice(0, 200);
