/** The status site of a core world, served on the real listener at a free port (the site's tests). */
import type { FastifyPluginAsync } from 'fastify';
import { silentLogger } from '../../src/core/logger.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { siteRoutes } from '../../src/http/site-routes.js';
import type { CoreWorld } from '../support/core-world.js';

export function startSite(
  w: CoreWorld,
  options: { publicUrl: string; playbookHtml: string; plugins?: readonly FastifyPluginAsync[] },
): Promise<HttpServer> {
  return startHttpServer({
    listen: '127.0.0.1:0',
    logger: silentLogger,
    plugins: [
      siteRoutes({
        title: 'firebell',
        playbookUrl: 'https://example.org/playbook',
        publicUrl: options.publicUrl,
        playbookHtml: () => options.playbookHtml,
        commits: w.durable.journal,
        source: {
          store: w.store,
          currentAlert: () => w.status.currentAlert(),
          openIncidentIds: () => w.firebell.service.open().map((incident) => incident.id),
          now: () => w.clock.now(),
        },
      }),
      ...(options.plugins ?? []),
    ],
  });
}
