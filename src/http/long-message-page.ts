/**
 * firebell's own page for a long relayed message: IRC gets the first lines and a link here for the rest
 * (research §5.3). `GET /m/<id>` answers the full text as text/plain; a plugin of the one HTTP listener
 * (server.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { LongMessage, LongMessageStore } from '../core/bridge/long-messages.js';
import type { Logger } from '../core/logger.js';
import { startHttpServer, type HttpServer } from './server.js';

export { parseListen } from './server.js';

export interface LongMessagePageOptions {
  /** `host:port`, as in `http.listen`; port 0 picks a free one. */
  readonly listen: string;
  readonly store: Pick<LongMessageStore, 'load'>;
  readonly logger: Logger;
}

export type LongMessagePage = HttpServer;

const ID = /^[A-Za-z0-9_-]{1,100}$/;

const HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  // Plain text, never sniffed as HTML, never able to load or run anything.
  'content-security-policy': "default-src 'none'; sandbox",
  'cache-control': 'private, max-age=3600',
};

/** The page's text: who said it, where and when, then the message as it was written. */
export function renderLongMessage(message: LongMessage): string {
  const when = new Date(message.at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
  return `${message.sender} in ${message.conversation} (${message.network}), ${when}\n\n${message.text}\n`;
}

export function longMessageRoutes(store: Pick<LongMessageStore, 'load'>): FastifyPluginAsync {
  return async (app) => {
    app.route<{ Params: { id: string } }>({
      // fastify answers HEAD from the GET route, headers only.
      method: 'GET',
      url: '/m/:id',
      handler: async (request, reply) => {
        const { id } = request.params;
        const message = ID.test(id) ? await store.load(id) : undefined;
        if (!message)
          return reply
            .status(404)
            .headers(HEADERS)
            .send('no such message (long messages are kept for a while, then forgotten)\n');
        return reply.headers(HEADERS).send(renderLongMessage(message));
      },
    });
    // The pages are read only: other methods on them are refused, not "not found".
    app.route({
      method: ['POST', 'PUT', 'DELETE', 'PATCH'],
      url: '/m/:id',
      handler: async (_request, reply) =>
        reply
          .status(405)
          .header('allow', 'GET, HEAD')
          .type('text/plain; charset=utf-8')
          .send('method not allowed\n'),
    });
  };
}

/** A listener serving only these pages (tests, and tools that need nothing else). */
export function startLongMessagePage(options: LongMessagePageOptions): Promise<LongMessagePage> {
  return startHttpServer({
    listen: options.listen,
    logger: options.logger,
    plugins: [longMessageRoutes(options.store)],
  });
}
