/**
 * The one-tap acknowledgement links: `/ack/<incident>/<token>` on the listener. GET shows the incident and
 * one button and never acknowledges (link previewers, chat unfurlers and mail scanners fetch every link
 * they see); POST acknowledges, from that button (a form) or from ntfy's action button (an empty body).
 *
 * The token is checked here (signature, incident, expiry: core/offchat/ack-token.ts), then the core
 * decides (core/offchat/link-acks.ts). Nothing about a link may be cached or passed on: every answer is
 * `Cache-Control: no-store` and `Referrer-Policy: no-referrer`, and no URL with a token is logged.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Logger } from '../core/logger.js';
import { verifyAckToken } from '../core/offchat/ack-token.js';
import type { LinkAckVerdict, LinkAcks } from '../core/offchat/link-acks.js';
import { notStoredYet, tokenRefusal, verdictPage, type AckPage, type AckPageOptions } from './ack-page.js';

export interface AckRoutesOptions extends AckPageOptions {
  /** `ackLinks.secret`: the HMAC key the links were signed with. */
  readonly secret: string;
  readonly acks: Pick<LinkAcks, 'judge' | 'acknowledge'>;
  readonly now: () => number;
  readonly logger: Logger;
  /** How long a POST waits for the acknowledgement's commit before it says so. */
  readonly commitTimeoutMs?: number;
}

// The page's only form posts back to itself; nothing else may load or run.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const INCIDENT = /^\d{1,9}$/;

const send = (reply: FastifyReply, page: AckPage): FastifyReply =>
  reply
    .status(page.status)
    .headers({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': CSP,
      'x-robots-tag': 'noindex',
    })
    .type('text/html; charset=utf-8')
    .send(page.html);

type Params = { readonly incident: string; readonly token: string };

export function ackRoutes(options: AckRoutesOptions): FastifyPluginAsync {
  const commitTimeoutMs = options.commitTimeoutMs ?? 8_000;
  /** The link's claims, or the page that refuses it. */
  const read = (params: Params) => {
    if (!INCIDENT.test(params.incident)) return { page: verdictPage({ kind: 'no-incident' }, 0, options) };
    const incidentId = Number(params.incident);
    const verdict = verifyAckToken(params.token, options.secret, { incidentId, now: options.now() });
    if (!verdict.ok) {
      options.logger.warn({ incident: incidentId, reason: verdict.reason }, 'ack link refused');
      return { page: tokenRefusal(verdict, incidentId, options) };
    }
    return { incidentId, claims: verdict.claims };
  };
  /** A store read that failed: logged here, without the URL (it holds a token), and answered 503. */
  const failed = (error: unknown): LinkAckVerdict => {
    options.logger.error({ err: error }, 'an ack link could not be handled');
    return { kind: 'unavailable' };
  };

  return async (app) => {
    // The button's form body (and whatever ntfy's action sends) carries nothing we read: taken, ignored.
    app.addContentTypeParser('*', { parseAs: 'string' }, (_request, _body, done) => done(null, undefined));
    app.get<{ Params: Params }>('/ack/:incident/:token', async (request, reply) => {
      const link = read(request.params);
      if ('page' in link) return send(reply, link.page);
      const verdict = await options.acks.judge(link.claims).catch(failed);
      return send(reply, verdictPage(verdict, link.incidentId, options));
    });
    app.post<{ Params: Params }>('/ack/:incident/:token', { bodyLimit: 4_096 }, async (request, reply) => {
      const link = read(request.params);
      if ('page' in link) return send(reply, link.page);
      const acknowledging = options.acks.acknowledge(link.claims).catch(failed);
      const verdict = await Promise.race([
        acknowledging,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), commitTimeoutMs).unref()),
      ]);
      if (!verdict) return send(reply, notStoredYet(link.incidentId, options));
      return send(reply, verdictPage(verdict, link.incidentId, options));
    });
  };
}
