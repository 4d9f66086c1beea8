/**
 * `ackLinks` in firebell.yaml: the secret only from the environment or a file, long enough, and a
 * listener a phone can reach; each mistake named by file, line and key, and `firebell check` without
 * production secrets passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.js';
import { CONTACTS, FIREBELL, WHITELIST, load, memoryReader, problems } from './fixture.js';

const HTTP = `http:
  listen: 127.0.0.1:8080
  publicUrl: https://firebell.example.org
`;
const SECRET = 'q3J9vX0m2kLr8TnW5yPz1aBc4dEf6gHi';
const withAckLinks = (ackLinks: string, http = HTTP): string => `${FIREBELL}${http}ackLinks:\n${ackLinks}`;

test('a secret from the environment loads, with the lifetime in hours (24 by default)', () => {
  const result = load(
    { firebell: withAckLinks('  secret: ${FIREBELL_ACK_SECRET}\n') },
    {
      FIREBELL_ACK_SECRET: SECRET,
    },
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.deepEqual(result.config.ackLinks, { secret: SECRET, expiresAfterHours: 24 });
  assert.ok(result.secrets.has(SECRET), 'the logger blanks it');
});

test('a secret from a file loads too', () => {
  const result = load({
    firebell: withAckLinks('  secret: ${file:/run/secrets/ack}\n  expiresAfterHours: 4\n'),
    extra: { '/run/secrets/ack': `${SECRET}\n` },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.deepEqual(result.config.ackLinks, { secret: SECRET, expiresAfterHours: 4 });
});

test('a secret written in the file is refused, without quoting it', () => {
  const found = problems({ firebell: withAckLinks(`  secret: ${SECRET}\n`) });
  assert.deepEqual(found, [
    'cfg/firebell.yaml:24:3: ackLinks.secret: the secret is written in the file: give it from the environment or a file, such as ${FIREBELL_ACK_SECRET} or ${file:/run/secrets/firebell-ack-secret}, so the config repository never holds it',
  ]);
});

test('a short secret and a lifetime past 7 days are refused', () => {
  const found = problems(
    { firebell: withAckLinks('  secret: ${ACK}\n  expiresAfterHours: 200\n') },
    { ACK: 'short-secret' },
  );
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(
    found[0]!,
    /^cfg\/firebell\.yaml:24:\d+: ackLinks\.secret: expected a secret of at least 32 characters/,
  );
  assert.ok(!found[0]!.includes('short-secret'), 'the secret is never quoted');
  assert.match(found[1]!, /ackLinks\.expiresAfterHours: expected at most 168 hours \(7 days\)/);
});

test('ack links without http.publicUrl or http.listen are refused', () => {
  const found = problems({ firebell: withAckLinks('  secret: ${ACK}\n', '') }, { ACK: SECRET });
  assert.deepEqual(found, [
    'cfg/firebell.yaml:20:1: ackLinks: ack links need http.publicUrl: the address at which a phone reaches firebell\'s listener (such as "https://firebell.example.org")',
    'cfg/firebell.yaml:20:1: ackLinks: ack links need http.listen: without the listener nothing answers them',
  ]);
});

test('firebell check without production secrets: an unset secret is a warning, not a length error', () => {
  const readFile = memoryReader({
    'cfg/firebell.yaml': withAckLinks('  secret: ${FIREBELL_ACK_SECRET}\n'),
    'cfg/contacts.yaml': CONTACTS,
    'whitelist.yaml': WHITELIST,
  });
  const result = loadConfig({ dir: 'cfg', env: {}, readFile, secrets: 'optional' });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.deepEqual(
    result.warnings.map((warning) => `${warning.path}: ${warning.message}`),
    [
      'ackLinks.secret: environment variable FIREBELL_ACK_SECRET is not set: fine for this tool, but firebell run and doctor need it',
    ],
  );
});
