/**
 * Starts the one HTTP listener with every surface firebell serves: the status site, the long relayed
 * messages, monitoring's hooks, the one-tap ack links, health and metrics. Called by the composition
 * root after the core has started.
 */
import type { InstanceRole } from './ops-routes.js';
import type { Config } from '../config/config.js';
import type { JournaledLongMessages } from '../core/bridge/long-messages.js';
import type { DurableState } from '../core/durable-state.js';
import type { Firebell } from '../core/firebell.js';
import type { Logger } from '../core/logger.js';
import { renderPlaybook } from '../playbook/render.js';
import { longMessageRoutes } from './long-message-page.js';
import type { FirebellMetrics } from './metrics.js';
import { opsRoutes } from './ops-routes.js';
import { startHttpServer, type HttpServer } from './server.js';
import { siteRoutes } from './site-routes.js';
import { intakeRoutes, type IntakeRoutesOptions } from './intake-routes.js';
import type { Journal } from '../core/journal.js';
import type { Intake } from '../core/intake/intake.js';
import type { FastifyPluginAsync } from 'fastify';
import { LinkAcks } from '../core/offchat/link-acks.js';
import { baseOf } from '../offchat/ack-links.js';
import { ackRoutes } from './ack-routes.js';

export interface ListenerParts {
  readonly config: Config;
  readonly firebell: Firebell;
  readonly durable: DurableState;
  readonly longMessages: JournaledLongMessages;
  readonly metrics: FirebellMetrics;
  readonly logger: Logger;
  readonly now: () => number;
  /** Active or standby (PostgreSQL store), for /readyz. */
  readonly instanceRole?: () => InstanceRole;
}

export async function startListener(listen: string, parts: ListenerParts): Promise<HttpServer> {
  const { config, firebell, metrics } = parts;
  return startHttpServer({
    listen,
    logger: parts.logger,
    onResponse: (route, status) => metrics.httpRequest(route, status),
    plugins: [
      longMessageRoutes(parts.longMessages),
      ...(firebell.intake ? [intakeRoutesFor(parts, firebell.intake)] : []),
      ...(config.ackLinks ? [ackRoutesFor(parts, config.ackLinks.secret, listen)] : []),
      opsRoutes({
        readiness: {
          storeHealth: () => firebell.storeHealth(),
          networkStates: () => firebell.networkStates(),
          ...(parts.instanceRole ? { instanceRole: parts.instanceRole } : {}),
        },
        registry: metrics.registry,
      }),
      siteRoutesFor(parts, listen),
    ],
  });
}

/** The public status site over the core's state (the benchmarks serve it as firebell does). */
export function siteRoutesFor(
  parts: Pick<ListenerParts, 'config' | 'firebell' | 'durable' | 'now'>,
  listen: string,
): FastifyPluginAsync {
  const { config, firebell, durable } = parts;
  return siteRoutes({
    title: config.bot.name,
    playbookUrl: config.bot.playbookUrl,
    publicUrl: config.bot.publicUrl ?? `http://${listen}`,
    playbookHtml: () => renderPlaybook(config, { format: 'html', generatedAt: parts.now() }),
    commits: durable.journal,
    source: {
      store: durable.store,
      currentAlert: () => durable.status.currentAlert(),
      maintenance: () =>
        firebell.maintenance.open().map((window) => ({
          group: window.group,
          endsAt: window.endsAt,
          reason: window.reason,
          by: window.by.name,
        })),
      openIncidentIds: () => firebell.service.open().map((incident) => incident.id),
      now: parts.now,
    },
  });
}

/** The one-tap ack links, acknowledging through the core as the contact whose link it is. */
function ackRoutesFor(parts: ListenerParts, secret: string, listen: string): FastifyPluginAsync {
  const { config, firebell, durable } = parts;
  const publicUrl = config.bot.publicUrl ?? `http://${listen}`;
  const logger = parts.logger.child({ module: 'ack-links' });
  return ackRoutes({
    secret,
    acks: new LinkAcks({
      service: firebell.service,
      directory: firebell.directory,
      journal: durable.journal,
      store: durable.store,
      clock: { now: parts.now },
      logger,
      permission: config.incidents.permissions.ack,
    }),
    now: parts.now,
    logger,
    title: config.bot.name,
    incidentUrl: (id) => new URL(`incidents/${id}`, baseOf(publicUrl)).href,
  });
}

function intakeRoutesFor(parts: ListenerParts, intake: Intake): ReturnType<typeof intakeRoutes> {
  return intakeRoutes({
    tokens: parts.config.intakeTokens,
    ...journaledIntake(parts.durable.journal, intake),
    logger: parts.logger,
    onResult: (source, result) => parts.metrics.intakeResult(source, result),
  });
}

/** The intake as the listener hands alerts to it: inside a hold, answered once the barrier says stored. */
export function journaledIntake(
  journal: Journal,
  intake: Pick<Intake, 'receive'>,
): Pick<IntakeRoutesOptions, 'receive' | 'committed'> {
  return {
    receive: (alert) => {
      // Everything the alert causes (the incident, its announcement, the intake state) commits together.
      const release = journal.hold('intake');
      try {
        return intake.receive(alert);
      } finally {
        release();
      }
    },
    committed: () => journal.barrier(),
  };
}
