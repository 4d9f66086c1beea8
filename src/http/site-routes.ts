/**
 * The public status site's routes (read-only, no cookies): `/`, `/incidents/<id>`, `/incidents/<id>.md`,
 * `/playbook`, `/alert.json` (with CORS, so other sites can show the banner), `/api/v1/status.json` and
 * `/feed.atom`. They serve snapshots (site-snapshots.ts): a herd of readers during an outage costs one
 * read of the store per change, not one per request, and each answer has a version to revalidate. Pages
 * are short-lived in caches: a status page that lags behind the incident misleads, and revalidating costs
 * a 304.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { StoreBatch } from '../core/store.js';
import type { SiteSource } from '../status-site/site-model.js';
import { DEFAULT_SNAPSHOT_MAX_AGE_MS, SiteSnapshots } from '../status-site/site-snapshots.js';
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
import { sendVersioned } from './conditional.js';

export interface SiteRoutesOptions extends SiteOptions {
  readonly source: SiteSource;
  /** The journal: each commit that changes what the site shows is read again before it is said in chat. */
  readonly commits: { watchCommits(watcher: (batch: StoreBatch) => void): void };
  /** The public base URL, for absolute links in the feed and the JSON. */
  readonly publicUrl: string;
  /** The play book as HTML (the same renderer as `firebell playbook --format html`). */
  readonly playbookHtml: () => string;
}

const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const fresh = (reply: FastifyReply): FastifyReply => reply.header('cache-control', 'public, max-age=5');
const html = (reply: FastifyReply): FastifyReply =>
  fresh(reply).type('text/html; charset=utf-8').header('content-security-policy', PAGE_CSP);
const json = (reply: FastifyReply): FastifyReply =>
  fresh(reply).type('application/json; charset=utf-8').header('access-control-allow-origin', '*');

export function siteRoutes(options: SiteRoutesOptions): FastifyPluginAsync {
  const snapshots = new SiteSnapshots(options.source, { maxAgeMs: DEFAULT_SNAPSHOT_MAX_AGE_MS });
  options.commits.watchCommits((batch) => snapshots.committed(batch));
  return async (app) => {
    app.get('/', async (request, reply) => {
      const status = await snapshots.status();
      return sendVersioned(request, html(reply), status.version, () =>
        status.rendered('html', (value) => renderFrontPage(value, options)),
      );
    });
    app.get<{ Params: { id: string } }>('/incidents/:id', async (request, reply) => {
      const match = /^(\d{1,9})(\.md)?$/.exec(request.params.id);
      const page = match ? await snapshots.incidentPage(Number(match[1])) : undefined;
      if (!page?.value) return reply.status(404).type('text/plain; charset=utf-8').send('no such incident\n');
      const found = page.value;
      if (match?.[2])
        return sendVersioned(
          request,
          fresh(reply)
            .type('text/markdown; charset=utf-8')
            .header('content-disposition', `inline; filename="incident-${found.incident.id}.md"`),
          page.version,
          () => page.rendered('md', () => renderIncidentMarkdown(found)),
        );
      return sendVersioned(request, html(reply), page.version, () =>
        page.rendered('html', (_value, readAt) => renderIncidentPage(found, options, readAt)),
      );
    });
    app.get('/playbook', async (_request, reply) => html(reply).send(options.playbookHtml()));
    app.get('/alert.json', async (request, reply) => {
      const body = JSON.stringify(alertJson(options.source.currentAlert()));
      return sendVersioned(request, json(reply), snapshots.versionOf('alert.json', body), () => body);
    });
    app.get('/api/v1/status.json', async (request, reply) => {
      const status = await snapshots.status();
      return sendVersioned(request, json(reply), status.version, () =>
        status.rendered('json', (value) => JSON.stringify(statusSummary(value, options.publicUrl))),
      );
    });
    app.get('/feed.atom', async (request, reply) => {
      const status = await snapshots.status();
      return sendVersioned(
        request,
        fresh(reply).type('application/atom+xml; charset=utf-8'),
        status.version,
        () => status.rendered('atom', (value) => renderAtomFeed(value, options.publicUrl, options.title)),
      );
    });
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
