/**
 * The public status site's routes (read-only, no cookies): `/`, `/incidents/<id>`, `/incidents/<id>.md`,
 * `/playbook`, `/alert.json` (with CORS, so other sites can show the banner), `/api/v1/status.json` and
 * `/feed.atom`. Pages are short-lived in caches: a status page that lags behind the incident misleads.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { loadIncidentPage, loadSiteStatus, type SiteSource } from '../status-site/site-model.js';
import {
  renderFrontPage,
  renderIncidentPage,
  SITE_SCRIPT,
  type SiteOptions,
} from '../status-site/site-html.js';
import {
  alertJson,
  renderAtomFeed,
  renderIncidentMarkdown,
  statusSummary,
} from '../status-site/site-feeds.js';

export interface SiteRoutesOptions extends SiteOptions {
  readonly source: SiteSource;
  /** The public base URL, for absolute links in the feed and the JSON. */
  readonly publicUrl: string;
  /** The play book as HTML (the same renderer as `firebell playbook --format html`). */
  readonly playbookHtml: () => string;
}

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const fresh = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'public, max-age=10');
const html = (reply: FastifyReply): FastifyReply =>
  fresh(reply).type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP);

export function siteRoutes(options: SiteRoutesOptions): FastifyPluginAsync {
  const { source } = options;
  return async (app) => {
    app.get('/', async (_request, reply) =>
      html(reply).send(renderFrontPage(await loadSiteStatus(source), options)),
    );
    app.get<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
      const match = /^(\d{1,9})(\.md)?$/.exec(request.params.id);
      const page = match ? await loadIncidentPage(source, Number(match[1])) : undefined;
      if (!page) return reply.status(404).type('text/plain; charset=utf-8').send('no such incident\n');
      if (match?.[2])
        return fresh(reply)
          .type('text/markdown; charset=utf-8')
          .header('content-disposition', `inline; filename="incident-${page.incident.id}.md"`)
          .send(renderIncidentMarkdown(page));
      return html(reply).send(renderIncidentPage(page, options, source.now()));
    });
    app.get('/playbook', async (_request, reply) => html(reply).send(options.playbookHtml()));
    app.get('/alert.json', async (_request, reply) =>
      fresh(reply).header('access-control-allow-origin', '*').send(alertJson(source.currentAlert())),
    );
    app.get('/api/v1/status.json', async (_request, reply) =>
      fresh(reply)
        .header('access-control-allow-origin', '*')
        .send(statusSummary(await loadSiteStatus(source), options.publicUrl)),
    );
    app.get('/feed.atom', async (_request, reply) =>
      fresh(reply)
        .type('application/atom+xml; charset=utf-8')
        .send(renderAtomFeed(await loadSiteStatus(source), options.publicUrl, options.title)),
    );
    // Browsers ask for it on every visit; "nothing here" without a 404 in the reader's console.
    app.get('/favicon.ico', async (_request, reply) =>
      reply.status(204).header('cache-control', 'public, max-age=86400').send(),
    );
    app.get('/site.js', async (_request, reply) =>
      reply
        .header('cache-control', 'public, max-age=3600')
        .type('text/javascript; charset=utf-8')
        .send(SITE_SCRIPT),
    );
  };
}
