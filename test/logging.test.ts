/**
 * The root logger as production builds it (pino, behind the redaction), writing JSON lines into memory:
 * what a line holds, and that no secret is written, however deep it sits or however it got there.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretKey } from '../src/config/secrets.js';
import { CENSOR, Redactor } from '../src/log-redaction.js';
import { MemoryLogger } from './support/memory-logger.js';
import { FIREBELL, load } from './config/fixture.js';

/** Builds an object with `leaf` at `depth` levels down, under keys that name no secret. */
function nested(depth: number, leaf: Record<string, unknown>): Record<string, unknown> {
  let node: Record<string, unknown> = leaf;
  for (let level = 0; level < depth; level += 1) node = { [`level${level}`]: node };
  return node;
}

describe('lines', () => {
  test('each call is one JSON line with pino’s level, time and message, and the fields and bindings', () => {
    const log = new MemoryLogger();
    log.child({ module: 'store' }).child({ incident: 7 }).warn({ attempt: 2 }, 'retrying a write');
    log.info('plain');
    assert.equal(log.lines.length, 2);
    const first = JSON.parse(log.lines[0] as string) as Record<string, unknown>;
    assert.equal(first.level, 40);
    assert.equal(typeof first.time, 'number');
    assert.equal(first.app, 'firebell');
    assert.deepEqual(log.entries, [
      { level: 'warn', message: 'retrying a write', fields: { module: 'store', incident: 7, attempt: 2 } },
      { level: 'info', message: 'plain', fields: {} },
    ]);
  });

  test('an error is written with its type, message, stack and properties, under err', () => {
    const log = new MemoryLogger();
    const error = Object.assign(new TypeError('the socket closed'), { code: 'ECONNRESET' });
    log.error(error);
    log.warn({ err: error, roomId: '!a' }, 'sending failed');
    const [alone, within] = log.entries;
    assert.equal(alone?.message, 'the socket closed');
    assert.deepEqual(Object.keys(alone?.fields.err as object).sort(), ['code', 'message', 'stack', 'type']);
    assert.equal((alone?.fields.err as { type: string }).type, 'TypeError');
    assert.equal((within?.fields.err as { code: string }).code, 'ECONNRESET');
    assert.equal(within?.fields.roomId, '!a');
  });

  test('a level that is off does not even look at what it was given', () => {
    const log = new MemoryLogger({ level: 'info' });
    let reads = 0;
    log.debug(
      {
        get expensive() {
          reads += 1;
          return 'x';
        },
      },
      'not written',
    );
    assert.equal(reads, 0);
    assert.equal(log.lines.length, 0);
  });

  test('a circular object is written once, with the cycle marked', () => {
    const log = new MemoryLogger();
    const request: Record<string, unknown> = { url: 'https://example.org' };
    request.self = request;
    log.info({ request }, 'circular');
    assert.deepEqual(log.entries[0]?.fields.request, { url: 'https://example.org', self: '[Circular]' });
  });
});

describe('secrets are redacted at any depth', () => {
  const SECRET_FIELDS = {
    password: 'pw-1111',
    nickservPassword: 'pw-2222',
    accessToken: 'syt_3333',
    access_token: 'syt_4444',
    token: 'tok-5555',
    webhookSecret: 'whs-6666',
    'x-api-key': 'key-7777',
    sasl: { account: 'firebell', password: 'pw-8888' },
    channelKeys: { '#ops': 'chankey-9999' },
  };
  const SECRETS = [
    'pw-1111',
    'pw-2222',
    'syt_3333',
    'syt_4444',
    'tok-5555',
    'whs-6666',
    'key-7777',
    'pw-8888',
    'chankey-9999',
  ];

  const assertNoSecret = (log: MemoryLogger): void => {
    const written = log.text();
    for (const secret of SECRETS) assert.ok(!written.includes(secret), `${secret} was written: ${written}`);
  };

  for (const depth of [0, 1, 5, 20, 31, 60]) {
    test(`secret keys ${depth} levels down`, () => {
      const log = new MemoryLogger();
      log.info(nested(depth, { ...SECRET_FIELDS, kept: 'visible' }), 'a deep object');
      assertNoSecret(log);
      // What is shallow enough to be written is written, with the secret keys blanked.
      if (depth < 30) {
        assert.match(log.text(), /"kept":"visible"/);
        assert.match(log.text(), /"accessToken":"\[redacted\]"/);
      }
    });
  }

  test('in arrays, in child bindings and in the properties of an error', () => {
    const log = new MemoryLogger();
    const error = Object.assign(new Error('request failed'), {
      request: {
        headers: { Authorization: 'Bearer syt_3333', accept: 'application/json' },
        body: [SECRET_FIELDS],
      },
    });
    log.child({ network: SECRET_FIELDS }).error({ err: error, servers: [[SECRET_FIELDS]] }, 'failed');
    assertNoSecret(log);
    const entry = log.entries[0];
    const headers = (entry?.fields.err as { request: { headers: Record<string, string> } }).request.headers;
    assert.deepEqual(headers, { Authorization: CENSOR, accept: 'application/json' });
  });

  test('HTTP headers whatever their case: Authorization, Proxy-Authorization, Cookie, Set-Cookie', () => {
    const log = new MemoryLogger();
    log.debug(
      {
        headers: {
          authorization: 'Basic dXNlcjpwYXNz',
          'Proxy-Authorization': 'x',
          Cookie: 'sid=1',
          'set-cookie': ['a=1'],
        },
      },
      'outgoing request',
    );
    assert.deepEqual(log.entries[0]?.fields.headers, {
      authorization: CENSOR,
      'Proxy-Authorization': CENSOR,
      Cookie: CENSOR,
      'set-cookie': CENSOR,
    });
  });

  test('credentials inside text: a bearer token, a URL’s password, an access_token parameter', () => {
    const log = new MemoryLogger();
    log.warn(
      'GET https://hs.example.org/_matrix/client/v3/sync?since=s1&access_token=syt_3333 failed; ' +
        'sent Authorization: Bearer tok-5555 to https://bot:pw-1111@irc.example.org:6697',
    );
    log.warn({ detail: 'curl -H "Authorization: Bearer key-7777"' }, 'retrying');
    assertNoSecret(log);
    assert.equal(
      log.entries[0]?.message,
      `GET https://hs.example.org/_matrix/client/v3/sync?since=s1&access_token=${CENSOR} failed; ` +
        `sent Authorization: Bearer ${CENSOR} to https://bot:${CENSOR}@irc.example.org:6697`,
    );
  });

  test('key names are matched without case, "-" or "_", and ordinary keys are not', () => {
    for (const key of [
      'password',
      'PASSWORD',
      'saslPassword',
      'access_token',
      'syncToken',
      'client-secret',
      'X-Api-Key',
    ])
      assert.ok(isSecretKey(key), key);
    for (const key of ['tokens', 'tokenBucket', 'passage', 'userId', 'nick', 'account', 'host', 'secretary'])
      assert.ok(!isSecretKey(key), key);
  });
});

describe('secret values from the configuration', () => {
  const MATRIX = `networks:
  shell: {}
  irc:
    - id: oftc
      host: irc.oftc.net
      nick: firebell
      nickservPassword: \${NS_PASSWORD}
  matrix:
    - id: matrix
      homeserver: \${MATRIX_URL}
      userId: '@firebell:\${MATRIX_DOMAIN}'
      accessToken: \${file:secrets/matrix-token}
`;
  const ENV = {
    NS_PASSWORD: 'nickserv-from-env-4242',
    MATRIX_URL: 'https://matrix.example.org',
    MATRIX_DOMAIN: 'example.org',
  };

  function loaded(): { secrets: ReadonlySet<string>; config: unknown } {
    // A function, because a replacement string would read "$" specially.
    const firebell = FIREBELL.replace('networks:\n  shell: {}\n', () => MATRIX);
    const result = load({ firebell, extra: { 'cfg/secrets/matrix-token': 'syt_from_file_7373\n' } }, ENV);
    assert.ok(result.ok, 'the configuration loads');
    return { secrets: result.secrets, config: result.config };
  }

  test('the load collects what came from ${file:} and what sits under a secret key, ${ENV} or not', () => {
    const { secrets } = loaded();
    assert.deepEqual([...secrets].sort(), ['nickserv-from-env-4242', 'syt_from_file_7373']);
  });

  test('the whole configuration logged by mistake carries no secret', () => {
    const { secrets, config } = loaded();
    const log = new MemoryLogger({ secrets });
    log.info({ config }, 'starting with this configuration');
    assert.ok(!log.text().includes('nickserv-from-env-4242'));
    assert.ok(!log.text().includes('syt_from_file_7373'));
    // An environment value in an ordinary key is not a secret: the bot's own id stays readable.
    assert.match(log.text(), /"userId":"@firebell:example.org"/);
  });

  test('a secret value is blanked wherever it turns up: a message, a nested string, an error', () => {
    const { secrets } = loaded();
    const log = new MemoryLogger({ secrets });
    log.warn(`homeserver said M_UNKNOWN_TOKEN for syt_from_file_7373`);
    log.error(
      {
        err: new Error('NickServ rejected nickserv-from-env-4242'),
        deep: nested(12, { note: 'x syt_from_file_7373 y' }),
      },
      'identify failed',
    );
    log.child({ label: 'syt_from_file_7373' }).info('bound');
    const written = log.text();
    assert.ok(!written.includes('syt_from_file_7373'), written);
    assert.ok(!written.includes('nickserv-from-env-4242'), written);
    assert.equal(log.entries[0]?.message, `homeserver said M_UNKNOWN_TOKEN for ${CENSOR}`);
    assert.match(written, /x \[redacted\] y/);
  });

  test('a short secret is blanked as a whole value, not inside ordinary words', () => {
    const redactor = new Redactor(['abc']);
    assert.equal(redactor.text('abc'), CENSOR);
    assert.equal(redactor.text('the abc of it'), 'the abc of it');
    assert.deepEqual(redactor.value({ key: 'abc', list: ['abc'] }), { key: CENSOR, list: [CENSOR] });
  });
});
