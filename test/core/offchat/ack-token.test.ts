/**
 * The ack link's token: signed claims that only our key makes, for one incident, until a time. Each way a
 * token can be wrong is refused, and the time is the injected clock's.
 */
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { signAckToken, verifyAckToken, type AckClaims } from '../../../src/core/offchat/ack-token.js';

const KEY = 'q3J9vX0m2kLr8TnW5yPz1aBc4dEf6gHi';
const T0 = Date.UTC(2026, 10, 25, 3, 0);
const HOUR = 3_600_000;
const claims: AckClaims = {
  incidentId: 3,
  contactId: 'mara',
  expiresAt: T0 + 24 * HOUR,
  linkId: '0b9d7c1e-5f3a-4c2b-9e8d-1a2b3c4d5e6f',
  way: 'ntfy',
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

test('a token made with the key is read back, for its incident, before it expires', () => {
  const token = signAckToken(claims, KEY);
  assert.match(token, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/, 'base64url, safe in a URL path');
  assert.deepEqual(verifyAckToken(token, KEY, { incidentId: 3, now: T0 }), { ok: true, claims });
  const mail = signAckToken({ ...claims, way: 'email' }, KEY);
  const read = verifyAckToken(mail, KEY, { incidentId: 3, now: T0 });
  assert.equal(read.ok && read.claims.way, 'email');
});

test('a token signed with another key is forged', () => {
  const token = signAckToken(claims, 'another-key-of-the-same-length-xx');
  assert.deepEqual(verifyAckToken(token, KEY, { incidentId: 3, now: T0 }), { ok: false, reason: 'forged' });
});

test('changing any field under the signature makes it forged', () => {
  const [, signature] = signAckToken(claims, KEY).split('.');
  const wire = { v: 1, i: 3, c: 'mara', e: claims.expiresAt, u: claims.linkId, w: 'ntfy' };
  for (const tampered of [
    { ...wire, c: 'boss' },
    { ...wire, i: 4 },
    { ...wire, e: claims.expiresAt + 365 * 24 * HOUR },
    { ...wire, u: 'another-link' },
  ])
    assert.deepEqual(
      verifyAckToken(`${b64(tampered)}.${signature}`, KEY, { incidentId: tampered.i, now: T0 }),
      { ok: false, reason: 'forged' },
      JSON.stringify(tampered),
    );
  // The original claims with a signature cut short, flipped or missing.
  const [encoded] = signAckToken(claims, KEY).split('.');
  for (const broken of [
    `${encoded}.${signature?.slice(0, 20)}`,
    `${encoded}.${signature?.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`,
    `${encoded}`,
    `${encoded}.${signature}.extra`,
    '',
    'not a token at all',
    'x'.repeat(5_000),
  ])
    assert.deepEqual(verifyAckToken(broken, KEY, { incidentId: 3, now: T0 }), {
      ok: false,
      reason: 'forged',
    });
});

test('a genuine token for #3 on the URL of #4 is refused as for another incident', () => {
  assert.deepEqual(verifyAckToken(signAckToken(claims, KEY), KEY, { incidentId: 4, now: T0 }), {
    ok: false,
    reason: 'wrong-incident',
    claims,
  });
});

test('a token expires on the injected clock at its time, not a moment later', () => {
  const clock = new SimulatedClock();
  clock.set(T0);
  const token = signAckToken(claims, KEY);
  const at = (): ReturnType<typeof verifyAckToken> =>
    verifyAckToken(token, KEY, { incidentId: 3, now: clock.now() });
  clock.increment(24 * HOUR - 1);
  assert.equal(at().ok, true, 'valid until the last millisecond');
  clock.increment(1);
  assert.deepEqual(at(), { ok: false, reason: 'expired', claims });
});

test('well-signed claims of the wrong shape are refused as forged (a key shared by mistake)', () => {
  const encoded = b64({ v: 2, i: 3, c: 'mara', e: claims.expiresAt, u: 'x', w: 'ntfy' });
  const mac = createHmac('sha256', KEY).update(`firebell-ack.${encoded}`).digest('base64url');
  assert.deepEqual(verifyAckToken(`${encoded}.${mac}`, KEY, { incidentId: 3, now: T0 }), {
    ok: false,
    reason: 'forged',
  });
});
