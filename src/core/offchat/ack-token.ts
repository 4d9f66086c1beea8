/**
 * The token inside a one-tap acknowledgement link: who may acknowledge which incident, until when, by
 * which page, signed with HMAC-SHA256 so nobody can make one up or change a field. It travels in a URL,
 * so it is base64url: `<claims>.<signature>`, the claims a small JSON object.
 *
 * Pure: the key and the time are arguments. The key is the edge's (`ackLinks.secret`); the core never
 * holds it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { OffChatWay } from '../settings.js';

export interface AckClaims {
  readonly incidentId: number;
  readonly contactId: string;
  /** Milliseconds since the epoch after which the link is refused. */
  readonly expiresAt: number;
  /** Unique per link (the off-chat delivery's id): the store remembers it once used. */
  readonly linkId: string;
  /** Which page carried it, for "acknowledged by Mara from a push notification". */
  readonly way: OffChatWay;
}

export type AckTokenVerdict =
  | { readonly ok: true; readonly claims: AckClaims }
  /** Not made with our key, damaged, or not a token at all. */
  | { readonly ok: false; readonly reason: 'forged' }
  /** A genuine token for another incident than the URL names. */
  | { readonly ok: false; readonly reason: 'wrong-incident'; readonly claims: AckClaims }
  | { readonly ok: false; readonly reason: 'expired'; readonly claims: AckClaims };

/** The claims' JSON keys, short because the token is a URL a phone shows. */
interface WireClaims {
  readonly v: 1;
  readonly i: number;
  readonly c: string;
  readonly e: number;
  readonly u: string;
  readonly w: OffChatWay;
}

const WAYS: readonly OffChatWay[] = ['ntfy', 'email'];
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Far longer than any real token: a longer one is refused before any work. */
const MAX_TOKEN_CHARS = 1_000;

const signature = (claims: string, key: string): Buffer =>
  createHmac('sha256', key).update(`firebell-ack.${claims}`).digest();

export function signAckToken(claims: AckClaims, key: string): string {
  const wire: WireClaims = {
    v: 1,
    i: claims.incidentId,
    c: claims.contactId,
    e: claims.expiresAt,
    u: claims.linkId,
    w: claims.way,
  };
  const encoded = Buffer.from(JSON.stringify(wire), 'utf8').toString('base64url');
  return `${encoded}.${signature(encoded, key).toString('base64url')}`;
}

/**
 * Checks the signature first (in constant time) and reads nothing of a token that fails it; then that the
 * token is for `incidentId` (the one the URL names) and not expired at `now`.
 */
export function verifyAckToken(
  token: string,
  key: string,
  expected: { readonly incidentId: number; readonly now: number },
): AckTokenVerdict {
  const claims = signedClaims(token, key);
  if (!claims) return { ok: false, reason: 'forged' };
  if (claims.incidentId !== expected.incidentId) return { ok: false, reason: 'wrong-incident', claims };
  if (expected.now >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

function signedClaims(token: string, key: string): AckClaims | undefined {
  if (token.length > MAX_TOKEN_CHARS) return undefined;
  const [encoded, mac, ...rest] = token.split('.');
  if (encoded === undefined || mac === undefined || rest.length > 0) return undefined;
  if (!BASE64URL.test(encoded) || !BASE64URL.test(mac)) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const wanted = signature(encoded, key);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return undefined;
  return readClaims(encoded);
}

/** Signed by us, so well-formed unless the key was shared with something else: checked all the same. */
function readClaims(encoded: string): AckClaims | undefined {
  let wire: Partial<WireClaims>;
  try {
    wire = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Partial<WireClaims>;
  } catch {
    return undefined;
  }
  if (
    wire.v !== 1 ||
    !Number.isSafeInteger(wire.i) ||
    typeof wire.c !== 'string' ||
    !Number.isSafeInteger(wire.e) ||
    typeof wire.u !== 'string' ||
    wire.u.length === 0 ||
    !WAYS.includes(wire.w as OffChatWay)
  )
    return undefined;
  return {
    incidentId: wire.i as number,
    contactId: wire.c,
    expiresAt: wire.e as number,
    linkId: wire.u,
    way: wire.w as OffChatWay,
  };
}
