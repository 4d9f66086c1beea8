/**
 * loadConfig as a whole: secrets from the environment and from files, secrets kept out of messages, all
 * problems of all three files reported together, warnings, and the file names taken from firebell.yaml.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProblem, loadConfig } from '../../src/config/load.js';
import { CONTACTS, FIREBELL, WHITELIST, load, memoryReader, problems } from './fixture.js';

const MATRIX = `networks:
  shell: {}
  matrix:
    - id: matrix
      homeserver: \${MATRIX_URL}
      userId: '@firebell:\${MATRIX_DOMAIN}'
      accessToken: \${file:secrets/matrix-token}
`;

test('${NAME} is replaced from the environment, ${file:} from a file, and $${ is a literal ${', () => {
  // Functions, because a replacement string would turn each "$$" into "$".
  const firebell = FIREBELL.replace('networks:\n  shell: {}\n', () => MATRIX).replace(
    '  - id: ops\n',
    () => "  - id: ops\n    name: 'Costs $$5, see $${DOCS}'\n",
  );
  const result = load(
    { firebell, extra: { 'cfg/secrets/matrix-token': 'syt_token_value\n' } },
    { MATRIX_URL: 'https://matrix.example.org', MATRIX_DOMAIN: 'example.org' },
  );
  assert.equal(result.ok, true, result.ok ? '' : result.problems.map((p) => formatProblem(p)).join('\n'));
  if (!result.ok) return;
  assert.deepEqual(result.config.networks.matrix[0], {
    id: 'matrix',
    kind: 'matrix',
    homeserver: 'https://matrix.example.org',
    userId: '@firebell:example.org',
    accessToken: 'syt_token_value',
    acceptInvitesFrom: [],
    queueLimit: 1000,
  });
  assert.equal(result.config.groups[0]?.name, 'Costs $$5, see ${DOCS}');
});

test('an absolute ${file:} path is read as given', () => {
  const firebell = FIREBELL.replace('admin: ops@example.org', 'admin: ${file:/run/secrets/admin}');
  const result = load({ firebell, extra: { '/run/secrets/admin': 'root@example.org\r\n' } });
  assert.equal(result.ok && result.config.bot.admin, 'root@example.org');
});

test('secrets never appear in messages, wherever they fail', () => {
  const env = { NS_PASSWORD: 'nickserv-secret-9012' };
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  irc:
    - id: oftc
      host: irc.oftc.net
      nick: firebell
      port: \${file:secrets/port}
      password: 12345678
      nickservPassword: \${NS_PASSWORD}
  matrix:
    - id: matrix
      homeserver: https://matrix.example.org
      userId: \${file:secrets/user}
      accessToken: abc
`,
  );
  // The NickServ password pasted into the whitelist by mistake.
  const whitelist = 'whitelist:\n  - ${NS_PASSWORD}\n';
  const extra = { 'cfg/secrets/port': 'port-secret-1234\n', 'cfg/secrets/user': 'user-secret-5678\n' };
  const lines = problems({ firebell, whitelist, extra }, env);
  assert.deepEqual(lines, [
    'cfg/firebell.yaml:12:7: networks.irc[0].port: expected a number, got a string',
    'cfg/firebell.yaml:13:7: networks.irc[0].password: expected a string, got a number',
    'cfg/firebell.yaml:13:7: networks.irc[0].password: the secret is written in the file: give it from the environment or a file, such as ${IRC_SERVER_PASSWORD} or ${file:/run/secrets/irc-server-password}, so the config repository never holds it',
    'cfg/firebell.yaml:18:7: networks.matrix[0].userId: expected a Matrix user id such as "@alice:example.org", got a string',
    'cfg/firebell.yaml:19:7: networks.matrix[0].accessToken: the secret is written in the file: give it from the environment or a file, such as ${MATRIX_ACCESS_TOKEN} or ${file:/run/secrets/matrix-access-token}, so the config repository never holds it',
    'whitelist.yaml:2:5: whitelist[0]: "<secret>" is a bare nick, but a nick is not an identity (anyone can take a nick): give the services account, as in { name: <secret>, irc: { account: <secret> } }, or refer to a contact, as in { contact: <secret> }',
  ]);
  for (const secret of ['nickserv-secret-9012', 'port-secret-1234', 'user-secret-5678', '12345678'])
    assert.ok(!lines.some((line) => line.includes(secret)), `a message contains ${secret}`);
});

test('an environment value in an ordinary key is quoted like any other value', () => {
  const firebell = FIREBELL.replace('playbookUrl: https://example.org/playbook', 'playbookUrl: ${PLAYBOOK}');
  assert.deepEqual(problems({ firebell }, { PLAYBOOK: 'wiki/Playbook' }), [
    'cfg/firebell.yaml:3:3: bot.playbookUrl: expected a URL such as "https://example.org/playbook", got "wiki/Playbook"',
  ]);
});

test('problems in all three files are reported together, in file and line order', () => {
  const firebell = FIREBELL.replace('      - network: shell', '      - network: irc').replace(
    '          afterMinutes: 5',
    '          afterMinutes: 5\n          repeats: 2',
  );
  const contacts = CONTACTS.replace('Europe/Berlin', 'Europe/Berlinn').replace("'09:00-17:00'", "'9-5'");
  const whitelist = `${WHITELIST}  - clarkb\n`;
  assert.deepEqual(problems({ firebell, contacts, whitelist }), [
    'cfg/firebell.yaml:11:9: groups[0].members[0].network: unknown network "irc" (known: shell)',
    'cfg/firebell.yaml:20:11: escalation.policies.default.tiers[0].repeats: unknown key "repeats" (allowed: tier, afterMinutes)',
    'cfg/contacts.yaml:7:5: contacts[0].timezone: expected an IANA timezone such as "Europe/Berlin", got "Europe/Berlinn"',
    'cfg/contacts.yaml:9:7: contacts[0].hours.mon-fri: "9-5" is not a time range: expected "HH:MM-HH:MM" such as "09:00-17:30" (24-hour clock)',
    'whitelist.yaml:3:5: whitelist[1]: "clarkb" is a bare nick, but a nick is not an identity (anyone can take a nick): give the services account, as in { name: clarkb, irc: { account: clarkb } }, or refer to a contact, as in { contact: clarkb }',
  ]);
});

test('a configuration where no contact has a tier loads, with a warning', () => {
  const contacts = CONTACTS.replace('    tier: 1\n', '');
  const result = load({ contacts });
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.warnings.map((warning) => formatProblem(warning, 'warning')),
    ['cfg/contacts.yaml:1:1: warning: contacts: no contact has a tier, so incidents will page nobody'],
  );
});

test('a policy tier that no contact has is a warning', () => {
  const firebell = FIREBELL.replace(
    '          afterMinutes: 5\n',
    '          afterMinutes: 5\n        - tier: 2\n          afterMinutes: 10\n',
  );
  const result = load({ firebell });
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.warnings.map((warning) => formatProblem(warning, 'warning')),
    [
      'cfg/firebell.yaml:20:11: warning: escalation.policies.default.tiers[1].tier: no contact has tier 2, so this step of policy "default" pages nobody',
    ],
  );
});

test('a whitelist entry with the account of a contact is tied to that contact', () => {
  const whitelist = `whitelist:
  - name: Alice
    irc:
      account: ALICE
  - name: Bob
    matrix: '@bob:example.org'
`;
  const result = load({ whitelist });
  assert.equal(result.ok, true);
  if (!result.ok) return;
  assert.deepEqual(result.config.whitelist, [
    { name: 'Alice', contactId: 'alice', irc: { account: 'ALICE' } },
    { name: 'Bob', matrix: '@bob:example.org' },
  ]);
});

test('files.contacts and files.whitelist name the other files, relative to the config dir', () => {
  const readFile = memoryReader({
    'cfg/firebell.yaml': `${FIREBELL}files:\n  contacts: people/team.yaml\n  whitelist: status-posters.yaml\n`,
    'cfg/people/team.yaml': CONTACTS,
    'cfg/status-posters.yaml': WHITELIST,
  });
  const result = loadConfig({ dir: 'cfg', env: {}, readFile });
  assert.equal(result.ok, true);
  assert.deepEqual(readFile.reads, ['cfg/firebell.yaml', 'cfg/people/team.yaml', 'cfg/status-posters.yaml']);
});

test('the default reader reads real files, secrets included', () => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-config-'));
  try {
    const dir = join(root, 'config');
    mkdirSync(join(dir, 'secrets'), { recursive: true });
    writeFileSync(
      join(dir, 'firebell.yaml'),
      FIREBELL.replace('admin: ops@example.org', 'admin: ${file:secrets/admin}'),
    );
    writeFileSync(join(dir, 'contacts.yaml'), CONTACTS);
    writeFileSync(join(root, 'whitelist.yaml'), WHITELIST);
    writeFileSync(join(dir, 'secrets', 'admin'), 'ops-on-call@example.org\n');
    const result = loadConfig({ dir, env: {} });
    assert.equal(result.ok, true);
    if (!result.ok) return;
    assert.equal(result.config.bot.admin, 'ops-on-call@example.org');
    assert.equal(result.config.storePath, join(root, 'data', 'firebell.sqlite'));
    assert.equal(result.config.files.whitelist, join(root, 'whitelist.yaml'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
