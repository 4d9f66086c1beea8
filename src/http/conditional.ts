/**
 * HTTP revalidation for the status site: each answer carries its version (ETag, Last-Modified), and a client
 * that already holds that version gets 304 Not Modified without the body, so pollers and the caches in
 * front of the site cost next to nothing. If-None-Match decides when present (RFC 9110 13.2.2), compared
 * weakly as GET allows; If-Modified-Since only when the date tells versions apart.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SiteVersion } from '../status-site/site-snapshots.js';

const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');

export function notModified(request: FastifyRequest, version: SiteVersion): boolean {
  const tags = request.headers['if-none-match'];
  if (tags !== undefined)
    return tags.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(version.etag));
  const since = request.headers['if-modified-since'];
  if (since === undefined || !version.datesDistinguish) return false;
  const date = Date.parse(since);
  return Number.isFinite(date) && version.lastModified <= date;
}

/** Sends `body()` with its version's headers, or 304 to a client that holds that version already. */
export function sendVersioned(
  request: FastifyRequest,
  reply: FastifyReply,
  version: SiteVersion,
  body: () => string,
): FastifyReply {
  reply.header('etag', version.etag).header('last-modified', new Date(version.lastModified).toUTCString());
  if (notModified(request, version)) return reply.status(304).send();
  return reply.send(body());
}
