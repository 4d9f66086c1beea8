/**
 * firebell's one HTTP listener (fastify): the status site, the pages for long relayed messages, health and
 * metrics. Each feature is a fastify plugin registered by the composition root, so a new surface (intake
 * hooks, one-tap acks) adds its routes without touching the others. Everything it serves is public and
 * read-only: no cookies, no sessions; every response carries headers that keep a browser from sniffing,
 * framing or leaking referrers.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from '../core/logger.js';

export interface HttpServerOptions {
  /** `host:port`; port 0 picks a free one. */
  readonly listen: string;
  readonly logger: Logger;
  readonly plugins: readonly FastifyPluginAsync[];
  /** Told of every answered request, by route pattern (metrics). */
  readonly onResponse?: (route: string, status: number) => void;
  /** Largest request body accepted (intake hooks); the site itself takes none. */
  readonly bodyLimitBytes?: number;
}

export interface HttpServer {
  readonly app: FastifyInstance;
  readonly host: string;
  readonly port: number;
  /** The address to open: `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`http.listen: expected host:port such as "127.0.0.1:8080", got "${listen}"`);
  return { host, port };
}

/** The app with its plugins, not listening (tests call `inject` on it; `startHttpServer` listens). */
export async function buildHttpApp(options: Omit<HttpServerOptions, 'listen'>): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
    // A status page is read by people, not crawled at length: a slow or stuck client is cut off.
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    // An ack link's token is one path segment of about 160 characters (fastify's default limit is 100).
    routerOptions: { maxParamLength: 1_024 },
  });
  app.addHook('onSend', async (_request, reply) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS))
      if (!reply.hasHeader(name)) reply.header(name, value);
  });
  const { onResponse } = options;
  if (onResponse)
    app.addHook('onResponse', async (request, reply) =>
      onResponse(request.routeOptions.url ?? 'unmatched', reply.statusCode),
    );
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) options.logger.error({ err: error, url: request.url }, 'HTTP request failed');
    void reply
      .status(status)
      .type('text/plain; charset=utf-8')
      .send(status >= 500 ? 'internal error\n' : `${error.message}\n`);
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).type('text/plain; charset=utf-8').send('not found\n');
  });
  for (const plugin of options.plugins) await app.register(plugin);
  return app;
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { host, port } = parseListen(options.listen);
  const app = await buildHttpApp(options);
  await app.listen({ host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address !== null ? address : { address: host, port };
  const shownHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  const url = `http://${shownHost}:${bound.port}`;
  options.logger.info({ url }, 'HTTP listener up');
  return { app, host: bound.address, port: bound.port, url, close: () => app.close() };
}
