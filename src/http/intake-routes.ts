/**
 * The front door for monitoring: `POST /hooks/alertmanager`, `/hooks/grafana` and `/hooks/generic`.
 * Each source has its own token (`Authorization: Bearer <token>`), compared in constant time and checked
 * before the body is read; a wrong or missing one gets 401 and a log line, never an echo of the body.
 * The alert is handed to the core and committed to the store before the 2xx: an alert that was answered
 * 202 is never lost, and one that was not is sent again by its source (each is idempotent by its key).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { IntakeAlert, IntakeSource } from '../core/intake/intake-alert.js';
import type { IntakeResult } from '../core/intake/intake.js';
import type { Logger } from '../core/logger.js';
import {
  alertmanagerSchema,
  fromAlertmanager,
  fromGeneric,
  fromGrafana,
  genericSchema,
  grafanaSchema,
} from './intake/payloads.js';

export interface IntakeRoutesOptions {
  readonly tokens: Readonly<Partial<Record<IntakeSource, string>>>;
  /** Hands the alert to the core (inside a hold, so all it causes commits together). */
  readonly receive: (alert: IntakeAlert) => IntakeResult;
  /**
   * Resolves once everything recorded so far is committed or dropped: with why, when the store refused
   * some of it for what it held (the alert's incident may not be stored: never a 2xx then).
   */
  readonly committed: () => Promise<{ readonly reason: string } | undefined>;
  readonly logger: Logger;
  /** How long to wait for the commit before answering 503 (the source retries). */
  readonly commitTimeoutMs?: number;
  /** Counts requests by source and result (metrics). */
  readonly onResult?: (source: IntakeSource, result: string) => void;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** Equal-length digests, so the comparison takes the same time whatever the guess. */
function tokenMatches(expected: string, header: string | undefined): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  return timingSafeEqual(digest(expected), digest(given)) && given.length > 0;
}

const SOURCES = [
  { source: 'alertmanager', schema: alertmanagerSchema, read: fromAlertmanager },
  { source: 'grafana', schema: grafanaSchema, read: fromGrafana },
  { source: 'generic', schema: genericSchema, read: fromGeneric },
] as const;

export function intakeRoutes(options: IntakeRoutesOptions): FastifyPluginAsync {
  const timeoutMs = options.commitTimeoutMs ?? 8_000;
  return async (app) => {
    for (const { source, schema, read } of SOURCES) {
      const token = options.tokens[source];
      if (token === undefined) continue;
      app.post(`/hooks/${source}`, {
        schema: { body: schema },
        // Before the body is read: a stranger learns nothing about what a valid payload looks like.
        onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
          if (tokenMatches(token, request.headers.authorization)) return;
          options.logger.warn(
            { source, from: request.ip, authorization: request.headers.authorization ? 'wrong' : 'missing' },
            'intake request refused: bad token',
          );
          options.onResult?.(source, 'unauthorized');
          await reply
            .status(401)
            .header('www-authenticate', 'Bearer')
            .type('text/plain; charset=utf-8')
            .send('unauthorized\n');
        },
        // A 400, 413 or 415 is not retried by the sender: the alert is lost, so it is logged (why, not the body:
        // a JSON parse error's message quotes it).
        onError: async (request: FastifyRequest, _reply: FastifyReply, error: FastifyError) => {
          const status = error.statusCode ?? 500;
          if (status >= 500) return;
          options.logger.warn(
            {
              source,
              from: request.ip,
              status,
              bytes: Number(request.headers['content-length'] ?? 0),
              reason: error.validation ? error.message : error.code,
            },
            'intake payload refused',
          );
          options.onResult?.(source, 'refused');
        },
        attachValidation: false,
        handler: async (request, reply) => {
          const alert = read(request.body as never);
          const result = options.receive(alert);
          const stored = await Promise.race([
            options.committed().then((refusal) => ({ refusal })),
            new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref()),
          ]);
          if (stored && stored.refusal) {
            options.logger.error(
              { source, reason: stored.refusal.reason },
              'an alert could not be stored: the store refused it',
            );
            options.onResult?.(source, 'not-stored');
            return reply.status(500).send({
              error: `the store refused what this alert wrote (${stored.refusal.reason}); tell firebell's operators`,
            });
          }
          if (!stored) {
            options.onResult?.(source, 'not-stored');
            return reply
              .status(503)
              .header('retry-after', '30')
              .send({ error: 'the store has not taken it yet; send it again' });
          }
          options.onResult?.(source, result.action);
          // A test notification was handled in full (nothing is queued behind it): the sender's test shows OK.
          return reply.status(result.action === 'test' ? 200 : 202).send(result);
        },
      });
    }
  };
}
