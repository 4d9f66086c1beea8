/**
 * firebell's own page for a long relayed message: IRC gets the first lines and a link here for the rest
 * (research §5.3). A small node:http listener on `bot.httpListen`, started by the composition root;
 * `GET /m/<id>` answers the full text as text/plain, and everything else 404. A later issue grows this
 * into the status site.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LongMessage, LongMessageStore } from '../core/bridge/long-messages.js';
import type { Logger } from '../core/logger.js';

export interface LongMessagePageOptions {
  /** `host:port`, as in `bot.httpListen`; port 0 picks a free one. */
  readonly listen: string;
  readonly store: Pick<LongMessageStore, 'load'>;
  readonly logger: Logger;
}

export interface LongMessagePage {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const PAGE = /^\/m\/([A-Za-z0-9_-]{1,100})$/;

const HEADERS = {
  'content-type': 'text/plain; charset=utf-8',
  // Plain text, never sniffed as HTML, never able to load or run anything.
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
  'referrer-policy': 'no-referrer',
  'cache-control': 'private, max-age=3600',
};

export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon);
  const port = Number(listen.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bot.httpListen: expected host:port such as "127.0.0.1:8080", got "${listen}"`);
  return { host, port };
}

/** The page's text: who said it, where and when, then the message as it was written. */
export function renderLongMessage(message: LongMessage): string {
  const when = new Date(message.at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, ' UTC');
  return `${message.sender} in ${message.conversation} (${message.network}), ${when}\n\n${message.text}\n`;
}

export async function startLongMessagePage(options: LongMessagePageOptions): Promise<LongMessagePage> {
  const { host, port } = parseListen(options.listen);
  const logger = options.logger;
  const server = createServer((request, response) => {
    answer(request, response, options.store).catch((error: unknown) => {
      logger.error({ err: error, url: request.url }, 'long message page failed');
      if (!response.headersSent) response.writeHead(500, HEADERS);
      response.end('internal error\n');
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error({ err: error }, 'long message page listener failed'));
  const address = server.address() as AddressInfo;
  logger.info({ host: address.address, port: address.port }, 'long message pages listening');
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  store: Pick<LongMessageStore, 'load'>,
): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...HEADERS, allow: 'GET, HEAD' });
    response.end('method not allowed\n');
    return;
  }
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const id = PAGE.exec(path)?.[1];
  const message = id === undefined ? undefined : await store.load(id);
  if (!message) {
    response.writeHead(404, HEADERS);
    response.end(
      request.method === 'HEAD'
        ? undefined
        : 'no such message (long messages are kept for a while, then forgotten)\n',
    );
    return;
  }
  const body = renderLongMessage(message);
  response.writeHead(200, { ...HEADERS, 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}
