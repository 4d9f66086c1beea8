/**
 * The shipped sample configuration: it loads with no problem at all on a fresh machine, its contents are
 * what the README promises, and its commented IRC and Matrix examples work once uncommented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../src/config/check.js';
import { formatProblem, loadConfig } from '../../src/config/load.js';

// Compiled to dist/test/config/, three levels below the repository.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CONFIG_DIR = join(ROOT, 'config');

function loadSample(env: Record<string, string> = {}, readFile?: (path: string) => string) {
  const result = loadConfig({ dir: CONFIG_DIR, env, ...(readFile ? { readFile } : {}) });
  if (!result.ok) assert.fail(result.problems.map((problem) => formatProblem(problem)).join('\n'));
  return result;
}

test('the sample configuration loads with no problems and no warnings', () => {
  const result = loadSample();
  assert.deepEqual(result.warnings, []);
  assert.deepEqual(checkConfig({ dir: CONFIG_DIR, env: {} }), {
    ok: true,
    lines: [
      // Not a problem of the sample, a fact about where it can run (issue 13, item 2).
      `${join(CONFIG_DIR, 'firebell.yaml')}:85:5: warning: networks.shell.enabled: the shell network is on: it reads the terminal firebell runs in, and without one (systemd, a container) firebell refuses to start, since the shell is its only network. Set enabled: false for production`,
      'config OK: 6 contacts (2 tiers), 4 whitelisted, 1 group, 1 policy',
    ],
  });
});

test('the sample runs on the shell network alone, with one group on #opendev', () => {
  const { config } = loadSample();
  assert.equal(config.networks.shell?.enabled, true);
  assert.equal(config.networks.shell?.id, 'shell');
  assert.deepEqual(config.networks.irc, []);
  assert.deepEqual(config.networks.matrix, []);
  assert.deepEqual(config.groups, [
    {
      id: 'opendev',
      name: 'OpenDev infrastructure',
      members: [{ network: 'shell', conversation: '#opendev', topic: true, status: true }],
      policy: 'default',
      relay: true,
      relayJoinsAndParts: false,
    },
  ]);
  assert.deepEqual(
    config.roles.map((role) => role.id),
    ['incident-commander', 'communications'],
  );
});

test("the sample's policy is converted to the form frozen into incidents", () => {
  const { config } = loadSample();
  assert.equal(config.defaultPolicy, 'default');
  assert.deepEqual(config.policies, {
    default: {
      name: 'default',
      tiers: [
        { tier: 1, afterMinutes: 5 },
        { tier: 2, afterMinutes: 10 },
      ],
      repeat: 1,
      whenExhausted: { action: 'stop', afterMinutes: 15 },
      ackTimeoutMinutes: 120,
      statusReminder: { afterMinutes: 10, repeatMinutes: 30 },
      nobodyAwake: 'soonest',
    },
  });
});

test('store, alert file and config files become absolute paths relative to the config dir', () => {
  const { config } = loadSample();
  assert.equal(config.storePath, join(ROOT, 'data', 'firebell.sqlite'));
  assert.equal(config.statusbot.alertFile, join(ROOT, 'data', 'alert.json'));
  assert.deepEqual(config.files, {
    firebell: join(ROOT, 'config', 'firebell.yaml'),
    contacts: join(ROOT, 'config', 'contacts.yaml'),
    whitelist: join(ROOT, 'whitelist.yaml'),
  });
});

test("the sample's contacts span six timezones, two tiers, and hours across midnight and weekends", () => {
  const { config } = loadSample();
  assert.deepEqual(
    config.contacts.map((contact) => [contact.id, contact.timezone, contact.tier, contact.reach]),
    [
      ['mara', 'America/Chicago', 1, 'both'],
      ['dario', 'America/Los_Angeles', 2, 'private'],
      ['greta', 'Europe/Berlin', 1, 'highlight'],
      ['anil', 'Asia/Kolkata', 2, 'both'],
      ['tamsin', 'Australia/Adelaide', 1, 'both'],
      ['rewi', 'Pacific/Auckland', 2, 'highlight'],
    ],
  );
  const anil = config.contacts.find((contact) => contact.id === 'anil');
  // 14:00 to 00:30 the next day, Monday to Friday.
  assert.deepEqual(anil?.hours[0], { day: 1, startMinute: 840, endMinute: 1470 });
  const weekend = config.contacts.filter((contact) => contact.hours.some((interval) => interval.day >= 6));
  assert.deepEqual(
    weekend.map((contact) => contact.id),
    ['greta', 'rewi'],
  );
});

test('the whitelist resolves contact entries to their handles and keeps the non-contact entry', () => {
  const { config } = loadSample();
  assert.deepEqual(config.whitelist, [
    {
      name: 'Mara Quillfeather',
      contactId: 'mara',
      irc: { account: 'mquill', nick: 'mquill' },
      matrix: '@mquill:example.org',
    },
    { name: 'Greta Lindqvist-Ohm', contactId: 'greta', irc: { account: 'glohm' } },
    {
      name: 'Tamsin Brackwater',
      contactId: 'tamsin',
      irc: { account: 'tbrack', nick: 'tamsin' },
      matrix: '@tbrack:example.org',
    },
    { name: 'Sol Ferreira-Mbeki', irc: { account: 'solfm', nick: 'sol' }, matrix: '@solfm:example.org' },
  ]);
});

/**
 * Uncomments what a reader would: the commented-out YAML (`# key:` and `# - ...` lines and the lines
 * nested under them), leaving prose comments alone.
 */
function uncommentExamples(source: string): string {
  return source
    .split('\n')
    .map((line) => {
      const match = /^(\s*)# (.*)$/.exec(line);
      if (!match) return line;
      const [, indent = '', rest = ''] = match;
      return /^\s*(- |[a-z][A-Za-z]*:( |$)|#)/.test(rest) ? `${indent}${rest}` : line;
    })
    .join('\n');
}

test('the commented IRC, Matrix, intake, heartbeat, SMTP and ack link examples are complete: uncommented, with their secrets set, they load', () => {
  const firebellPath = join(CONFIG_DIR, 'firebell.yaml');
  const uncommented = uncommentExamples(readFileSync(firebellPath, 'utf8'));
  const readFile = (path: string): string =>
    path === firebellPath ? uncommented : readFileSync(path, 'utf8');
  const env = {
    OFTC_NICKSERV_PASSWORD: 'nickserv-secret',
    MATRIX_ACCESS_TOKEN: 'syt_matrix_secret',
    FIREBELL_ALERTMANAGER_TOKEN: 'alertmanager-token-123456',
    FIREBELL_GRAFANA_TOKEN: 'grafana-token-1234567890',
    FIREBELL_GENERIC_TOKEN: 'generic-token-1234567890',
    SMTP_PASSWORD: 'smtp-secret',
    HEARTBEAT_URL: 'https://hc-ping.com/0f1e2d3c',
    FIREBELL_ACK_SECRET: 'ack-secret-0123456789abcdefghijklmn',
  };
  const { config } = loadSample(env, readFile);

  assert.equal(config.networks.irc.length, 1);
  const oftc = config.networks.irc[0];
  assert.equal(oftc?.id, 'oftc');
  assert.equal(oftc?.port, 6697);
  assert.equal(oftc?.nickservPassword, 'nickserv-secret');
  assert.equal(config.networks.matrix[0]?.accessToken, 'syt_matrix_secret');
  assert.deepEqual(
    config.groups[0]?.members.map((member) => [member.network, member.conversation]),
    [
      ['shell', '#opendev'],
      ['oftc', '#opendev'],
      ['matrix', '#opendev:opendev.org'],
    ],
  );
  assert.deepEqual(config.statusbot.externalBots, [{ network: 'oftc', nick: 'opendevstatus' }]);
  assert.equal(config.bot.publicUrl, 'https://status.example.org', 'http.publicUrl, uncommented');
  assert.equal(config.intake?.group, 'opendev');
  assert.deepEqual(Object.keys(config.intakeTokens).sort(), ['alertmanager', 'generic', 'grafana']);
  assert.equal(config.email?.password, 'smtp-secret');
  assert.equal(config.email?.port, 465);
  assert.deepEqual(config.heartbeat, { url: 'https://hc-ping.com/0f1e2d3c', everySeconds: 60 });
  assert.deepEqual(config.ackLinks, { secret: 'ack-secret-0123456789abcdefghijklmn', expiresAfterHours: 24 });
});

test('the uncommented examples without their environment name the missing variables', () => {
  const firebellPath = join(CONFIG_DIR, 'firebell.yaml');
  const uncommented = uncommentExamples(readFileSync(firebellPath, 'utf8'));
  const result = loadConfig({
    dir: CONFIG_DIR,
    env: {},
    readFile: (path) => (path === firebellPath ? uncommented : readFileSync(path, 'utf8')),
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(
    result.problems.map((problem) => `${problem.path}: ${problem.message}`),
    [
      'intake.sources.alertmanager.token: environment variable FIREBELL_ALERTMANAGER_TOKEN is not set',
      'intake.sources.grafana.token: environment variable FIREBELL_GRAFANA_TOKEN is not set',
      'intake.sources.generic.token: environment variable FIREBELL_GENERIC_TOKEN is not set',
      'networks.irc[0].nickservPassword: environment variable OFTC_NICKSERV_PASSWORD is not set',
      'networks.matrix[0].accessToken: environment variable MATRIX_ACCESS_TOKEN is not set',
      'heartbeat.url: environment variable HEARTBEAT_URL is not set',
      'email.password: environment variable SMTP_PASSWORD is not set',
      'ackLinks.secret: environment variable FIREBELL_ACK_SECRET is not set',
    ],
  );
});

test('firebell check on the uncommented examples with no secret set passes, each unset secret a warning (CI has none)', () => {
  const firebellPath = join(CONFIG_DIR, 'firebell.yaml');
  const uncommented = uncommentExamples(readFileSync(firebellPath, 'utf8'));
  const checked = checkConfig({
    dir: CONFIG_DIR,
    env: {},
    readFile: (path) => (path === firebellPath ? uncommented : readFileSync(path, 'utf8')),
  });
  assert.equal(checked.ok, true, checked.lines.join('\n'));
  for (const name of ['HEARTBEAT_URL', 'SMTP_PASSWORD', 'FIREBELL_ACK_SECRET', 'MATRIX_ACCESS_TOKEN'])
    assert.ok(
      checked.lines.some(
        (line) => line.includes(`warning:`) && line.includes(`environment variable ${name} is not set`),
      ),
      name,
    );
});
