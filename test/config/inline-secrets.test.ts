/**
 * Secrets come from the environment or a file, never from the config repository: every secret-bearing key
 * written as a literal is refused at its file, line and key, with how to write it instead, and without
 * the value in the message; the same keys from `${NAME}` or `${file:}` load.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { SECRET_KEYS } from '../../src/config/inline-secrets.js';
import { contactsFileSchema, firebellFileSchema } from '../../src/config/schema.js';
import { isSecretKey } from '../../src/config/secrets.js';
import { checkConfig } from '../../src/config/check.js';
import { CONTACTS, FIREBELL, WHITELIST, load, memoryReader, problems } from './fixture.js';

/** Every secret key firebell.yaml has, each set to `value(name)`. */
function firebellWithSecrets(value: (name: string) => string): string {
  return FIREBELL.replace('store:\n  path: ../data/firebell.sqlite\n', () =>
    [
      'store:',
      '  kind: postgres',
      `  url: 'postgres://firebell:${value('PG_PASSWORD')}@db.example.org/firebell'`,
      '',
    ].join('\n'),
  ).replace('networks:\n  shell: {}\n', () =>
    [
      'networks:',
      '  shell: {}',
      '  irc:',
      '    - id: oftc',
      '      host: irc.oftc.net',
      '      nick: firebell',
      `      password: ${value('SERVER_PASSWORD')}`,
      `      sasl: { account: firebell, password: ${value('SASL_PASSWORD')} }`,
      `      nickservPassword: ${value('NICKSERV_PASSWORD')}`,
      `      channelKeys: { '#keyed': ${value('CHANNEL_KEY')} }`,
      '  matrix:',
      '    - id: matrix',
      '      homeserver: https://matrix.example.org',
      "      userId: '@firebell:example.org'",
      `      accessToken: ${value('MATRIX_TOKEN')}`,
      `      password: ${value('MATRIX_PASSWORD')}`,
      'http:',
      '  listen: 127.0.0.1:8080',
      '  publicUrl: https://firebell.example.org',
      'intake:',
      '  group: ops',
      '  sources:',
      `    alertmanager: { token: ${value('ALERTMANAGER_TOKEN')} }`,
      'email:',
      '  host: smtp.example.org',
      '  from: firebell@example.org',
      `  password: ${value('SMTP_PASSWORD')}`,
      'ackLinks:',
      `  secret: ${value('ACK_SECRET')}`,
      'heartbeat:',
      `  url: ${value('HEARTBEAT_URL')}`,
      '',
    ].join('\n'),
  );
}

const CONTACTS_WITH_TOKEN = (token: string): string =>
  CONTACTS.replace('    tier: 1\n', `    tier: 1\n    ntfy: { topic: alice-pages, token: ${token} }\n`);

/** A reference, quoted where it stands alone (a flow mapping would read `{` as its own). */
const fromEnv = (name: string): string => (name === 'PG_PASSWORD' ? `\${${name}}` : `'\${${name}}'`);

/** Values long and distinct enough to be recognised if a message quoted them. */
const literal = (name: string): string =>
  name === 'HEARTBEAT_URL'
    ? 'https://hc-ping.com/0f1e2d3c-4b5a'
    : `lit-${name.toLowerCase()}-0123456789abcdef-0123456789`;
const NAMES = [
  'PG_PASSWORD',
  'SERVER_PASSWORD',
  'SASL_PASSWORD',
  'NICKSERV_PASSWORD',
  'CHANNEL_KEY',
  'MATRIX_TOKEN',
  'MATRIX_PASSWORD',
  'ALERTMANAGER_TOKEN',
  'SMTP_PASSWORD',
  'ACK_SECRET',
  'HEARTBEAT_URL',
  'NTFY_TOKEN',
];

test('every secret written in the files is refused at its file, line and key, with how to write it, never quoting it', () => {
  const lines = problems({
    firebell: firebellWithSecrets(literal),
    contacts: CONTACTS_WITH_TOKEN(literal('NTFY_TOKEN')),
  });
  const how = (name: string): string =>
    `give it from the environment or a file, such as \${${name}} or \${file:/run/secrets/${name.toLowerCase().replace(/_/g, '-')}}, so the config repository never holds it`;
  const secret = 'the secret is written in the file';
  assert.deepEqual(lines, [
    `cfg/firebell.yaml:6:3: store.url: the URL has its password written in the file: ${how('DATABASE_URL')}`,
    `cfg/firebell.yaml:13:7: networks.irc[0].password: ${secret}: ${how('IRC_SERVER_PASSWORD')}`,
    `cfg/firebell.yaml:14:34: networks.irc[0].sasl.password: ${secret}: ${how('IRC_SASL_PASSWORD')}`,
    `cfg/firebell.yaml:15:7: networks.irc[0].nickservPassword: ${secret}: ${how('IRC_NICKSERV_PASSWORD')}`,
    `cfg/firebell.yaml:16:22: networks.irc[0].channelKeys["#keyed"]: ${secret}: ${how('IRC_CHANNEL_KEY')}`,
    `cfg/firebell.yaml:21:7: networks.matrix[0].accessToken: ${secret}: ${how('MATRIX_ACCESS_TOKEN')}`,
    `cfg/firebell.yaml:22:7: networks.matrix[0].password: ${secret}: ${how('MATRIX_PASSWORD')}`,
    `cfg/firebell.yaml:29:21: intake.sources.alertmanager.token: ${secret}: ${how('FIREBELL_INTAKE_TOKEN')}`,
    `cfg/firebell.yaml:33:3: email.password: ${secret}: ${how('SMTP_PASSWORD')}`,
    `cfg/firebell.yaml:35:3: ackLinks.secret: ${secret}: ${how('FIREBELL_ACK_SECRET')}`,
    `cfg/firebell.yaml:37:3: heartbeat.url: the URL is written in the file, and it is its own credential: ${how('HEARTBEAT_URL')}`,
    `cfg/contacts.yaml:11:33: contacts[0].ntfy.token: ${secret}: ${how('NTFY_TOKEN')}`,
  ]);
  for (const name of NAMES)
    assert.ok(!lines.some((line) => line.includes(literal(name))), `a message quotes ${name}`);
});

test('the same keys from the environment and from files load', () => {
  const env = Object.fromEntries(NAMES.map((name) => [name, literal(name)]));
  const result = load(
    {
      firebell: firebellWithSecrets(fromEnv),
      contacts: CONTACTS_WITH_TOKEN("'${file:/run/secrets/ntfy}'"),
      extra: { '/run/secrets/ntfy': 'tk_from_a_file\n' },
    },
    env,
  );
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  assert.equal(result.config.networks.irc[0]?.sasl?.password, literal('SASL_PASSWORD'));
  assert.equal(result.config.contacts[0]?.ntfy?.token, 'tk_from_a_file');
});

test('firebell check refuses an inline secret too, though it needs no secret set', () => {
  const readFile = memoryReader({
    'cfg/firebell.yaml': firebellWithSecrets((name) =>
      name === 'SMTP_PASSWORD' ? 'hunter2-hunter2' : fromEnv(name),
    ),
    'cfg/contacts.yaml': CONTACTS,
    'whitelist.yaml': WHITELIST,
  });
  const checked = checkConfig({
    dir: 'cfg',
    env: { PG_PASSWORD: 'pw', HEARTBEAT_URL: 'https://hc-ping.com/x' },
    readFile,
  });
  assert.equal(checked.ok, false);
  assert.deepEqual(
    checked.lines.filter((line) => !line.includes('warning:')),
    [
      'cfg/firebell.yaml:33:3: email.password: the secret is written in the file: give it from the environment or a file, such as ${SMTP_PASSWORD} or ${file:/run/secrets/smtp-password}, so the config repository never holds it',
    ],
  );
});

test('a literal part beside a reference, or an escaped "$${", still keeps the secret in the file', () => {
  const smtp = (password: string): string =>
    `${FIREBELL}email:\n  host: smtp.example.org\n  from: f@example.org\n  password: '${password}'\n`;
  for (const password of ['pre-${SMTP}', '$${SMTP}'])
    assert.match(
      problems({ firebell: smtp(password) }, { SMTP: 'x' })[0] ?? '',
      /email\.password: the secret is written in the file/,
      password,
    );
  assert.ok(load({ firebell: smtp('${A}${B}') }, { A: 'one', B: 'two' }).ok, 'two references are no literal');
});

test('a database URL without a password, or with it from the environment, and a heartbeat URL with its secret part from the environment load', () => {
  const store = (url: string): string =>
    FIREBELL.replace(
      'store:\n  path: ../data/firebell.sqlite\n',
      `store:\n  kind: postgres\n  url: '${url}'\n`,
    );
  for (const url of ['postgres://firebell@db.example.org/firebell', 'postgres://firebell:${PG}@db/firebell'])
    assert.ok(load({ firebell: store(url) }, { PG: 'pw' }).ok, url);
  assert.match(
    problems({ firebell: store('postgres://db.example.org/firebell?user=f&password=pw') })[0] ?? '',
    /store\.url: the URL has its password written in the file/,
  );
  const heartbeat = `${FIREBELL}heartbeat:\n  url: 'https://hc-ping.com/\${HC_UUID}'\n`;
  assert.ok(load({ firebell: heartbeat }, { HC_UUID: '0f1e2d3c' }).ok);
});

/** Key paths in a JSON schema whose last key names a secret (password, token, channelKeys...). */
function secretPaths(schema: unknown, path: string[] = []): string[] {
  const node = schema as {
    properties?: Record<string, unknown>;
    items?: unknown;
    additionalProperties?: unknown;
    anyOf?: unknown[];
  };
  const found: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (isSecretKey(key)) found.push([...path, key].join('.'));
    found.push(...secretPaths(child, [...path, key]));
  }
  if (node.items) found.push(...secretPaths(node.items, [...path, '*']));
  if (typeof node.additionalProperties === 'object')
    found.push(...secretPaths(node.additionalProperties, [...path, '*']));
  for (const option of node.anyOf ?? []) found.push(...secretPaths(option, path));
  return found;
}

test('every key of the schema that names a secret is checked for inline values', () => {
  // A map of secrets (channelKeys) is listed with `*` for its keys; the schema names the map.
  const listed = (doc: 'firebell' | 'contacts', path: string): boolean =>
    SECRET_KEYS[doc].some((key) => {
      const pattern = key.path.at(-1) === '*' ? key.path.slice(0, -1) : key.path;
      const segments = path.split('.');
      return (
        pattern.length === segments.length &&
        pattern.every((segment, index) => segment === '*' || segment === segments[index])
      );
    });
  const options = { io: 'input', unrepresentable: 'any' } as const;
  for (const [doc, schema] of [
    ['firebell', firebellFileSchema],
    ['contacts', contactsFileSchema],
  ] as const) {
    const named = secretPaths(z.toJSONSchema(schema, options));
    assert.ok(named.length > 0);
    for (const path of named) assert.ok(listed(doc, path), `${doc}: ${path} is not in SECRET_KEYS`);
  }
});
