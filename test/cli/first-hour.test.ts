/** The command line a new user and an operator meet first (issue 13, items 2, 7, 10, 12). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, FirebellProcess } from '../support/firebell-process.js';
import { COMMAND_HELP, GENERAL_HELP } from '../../src/cli-help.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SAMPLE = join(ROOT, 'config');

/** A fresh copy of the sample configuration (config/ and whitelist.yaml), so nothing writes into the repo. */
function sampleCopy(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'firebell-first-hour-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(SAMPLE, join(root, 'config'), { recursive: true });
  cpSync(join(ROOT, 'whitelist.yaml'), join(root, 'whitelist.yaml'));
  return root;
}

function firebell(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return spawnSync(process.execPath, ['--max-semi-space-size=4', CLI, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
    ...(options.cwd ? { cwd: options.cwd } : {}),
    env: { ...process.env, FIREBELL_LOG_LEVEL: 'info', ...options.env },
  });
}

test('npm start </dev/null on the sample config: a clear refusal naming the key, exit 1, nothing started', (t) => {
  const root = sampleCopy(t);
  // What `npm start` runs, with standard input from /dev/null (as systemd and containers give it).
  const result = firebell(['run', '--config', 'config'], { cwd: root });
  assert.equal(result.status, 1, result.stderr);
  assert.equal(
    result.stderr.trim(),
    `firebell: the shell network is the only network, and standard input is not a terminal (systemd, a container, </dev/null): nobody would see what firebell says, so it did not start. For production set networks.shell.enabled: false in ${join(root, 'config', 'firebell.yaml')} and configure an IRC or Matrix network (docs/configuration.md); to try firebell, run it in a terminal; to drive the shell from a pipe, add --shell.`,
  );
  assert.equal(result.stdout, '');
});

test('without a terminal, beside an IRC network, the shell is off and the log says so; the bot runs', async (t) => {
  const root = sampleCopy(t);
  const main = join(root, 'config', 'firebell.yaml');
  const yaml = readFileSync(main, 'utf8')
    .replace(
      "  # irc:\n  #   - # The network's id, used by groups and by statusbot.externalBots.\n  #     id: oftc\n  #     # The server to connect to.\n  #     host: irc.oftc.net",
      '  irc:\n    - id: oftc\n      host: 127.0.0.1\n      port: 1\n      tls: false\n      nick: firebell',
    )
    .replace(
      "      # - network: oftc\n      #   channel: '#opendev'",
      "      - network: oftc\n        channel: '#opendev'",
    );
  assert.match(yaml, /host: 127\.0\.0\.1/);
  writeFileSync(main, yaml);
  const child = spawn(process.execPath, [CLI, 'run', '--config', 'config'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FIREBELL_LOG_LEVEL: 'info' },
  });
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const deadline = Date.now() + 15_000;
  while (!stderr.includes('connecting to 127.0.0.1:1') && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 50));
  assert.match(stderr, /the shell network is off: standard input is not a terminal/);
  assert.match(stderr, /set networks\.shell\.enabled: false in .*firebell\.yaml/);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  );
  assert.equal(code, 0, stderr.slice(-2000));
});

test('the end of input with incidents open says what happens to them, then stops cleanly', async (t) => {
  const root = sampleCopy(t);
  const process = new FirebellProcess(['run', '--config', join(root, 'config')]);
  t.after(() => process.kill('SIGKILL'));
  await process.waitFor(/firebell shell: you are you \(not a contact/);
  process.type('!incident the gate is failing');
  await process.waitFor(/Incident #1 declared by you/);
  process.endInput();
  await process.waitFor(
    /End of input: firebell stops\. 1 incident is still open \(#1\): nobody is paged or reminded while firebell is stopped\. They are kept in .*firebell\.sqlite and resume, with their timers, when firebell starts again/,
  );
  const exit = await process.exited;
  assert.equal(exit.code, 0);
});

test('--version, help, help <command> and <command> --help', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['check', '-V']]) {
    const result = firebell(args);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `firebell ${pkg.version}\n`);
  }
  for (const args of [['help'], ['-h']]) {
    const result = firebell(args);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, `${GENERAL_HELP}\n`);
  }
  assert.match(GENERAL_HELP, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 /);
  for (const command of ['run', 'check', 'playbook', 'simulate', 'doctor'] as const)
    assert.equal(firebell([command, '--help']).stdout, `${COMMAND_HELP[command]}\n`);
  assert.equal(firebell(['help', 'doctor']).stdout, `${COMMAND_HELP.doctor}\n`);
});

test('usage mistakes exit 2 with one line and where help is', () => {
  for (const [args, message] of [
    [['help', 'frobnicate'], 'there is no command "frobnicate"'],
    [['check', 'extra'], 'unexpected argument "extra"'],
    [['check', '--bogus'], "Unknown option '--bogus'"],
    [['simulate', '--at', 'teatime'], '--at: "teatime" is not a time'],
    [['doctor', '--timeout', 'soon'], '--timeout must be a number of seconds'],
  ] as const) {
    const result = firebell([...args, '--config', SAMPLE]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.ok(result.stderr.startsWith('firebell: '), result.stderr);
    assert.ok(result.stderr.includes(message), result.stderr);
    assert.match(result.stderr, /firebell --help lists them all\n$/);
  }
});

test('the README shows firebell --help as it is', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(
    readme.includes(`\`\`\`text\n${GENERAL_HELP}\n\`\`\``),
    'README lacks the current firebell --help',
  );
});

test('check and playbook run without production secrets; run does not', (t) => {
  const root = sampleCopy(t);
  const main = join(root, 'config', 'firebell.yaml');
  const yaml = readFileSync(main, 'utf8').replace(
    "  # matrix:\n  #   - # The network's id, used by groups.\n  #     id: matrix\n  #     # The homeserver's client-server API URL.\n  #     homeserver: https://matrix.example.org\n  #     # The bot's user id.\n  #     userId: '@firebell:example.org'\n  #     # An access token (or give password instead, exchanged once for a token that is stored).\n  #     accessToken: ${MATRIX_ACCESS_TOKEN}",
    "  matrix:\n    - id: matrix\n      homeserver: https://matrix.example.org\n      userId: '@firebell:example.org'\n      accessToken: ${MATRIX_ACCESS_TOKEN}",
  );
  assert.match(yaml, /^ {2}matrix:$/m);
  writeFileSync(main, yaml);
  const env = { MATRIX_ACCESS_TOKEN: undefined };
  const check = firebell(['check', '--config', join(root, 'config')], { env });
  assert.equal(check.status, 0, check.stderr);
  assert.match(
    check.stderr,
    /warning: networks\.matrix\[0\]\.accessToken: environment variable MATRIX_ACCESS_TOKEN is not set: fine for this tool/,
  );
  assert.match(check.stdout, /^config OK: /);
  const playbook = firebell(['playbook', '--config', join(root, 'config')], { env });
  assert.equal(playbook.status, 0, playbook.stderr);
  const simulate = firebell(['simulate', '--config', join(root, 'config'), '--at', 'Wed 15:00 UTC'], { env });
  assert.equal(simulate.status, 0, simulate.stderr);
  const run = firebell(['run', '--config', join(root, 'config')], { env });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /environment variable MATRIX_ACCESS_TOKEN is not set\n/);
});

test('simulate says who is paged when, tier by tier, on which networks', () => {
  const result = firebell(['simulate', '--config', SAMPLE, '--at', '2026-11-25 15:00 UTC']);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      'An incident declared Wed 2026-11-25 15:00 UTC in OpenDev infrastructure (policy "default", nobody awake: soonest):',
      '  Wed 15:05 UTC (+5 min)  tier 1',
      '      Mara Quillfeather (Wed 09:05 in America/Chicago): highlighted in #opendev (shell), private message on shell',
      '      Greta Lindqvist-Ohm (Wed 16:05 in Europe/Berlin): highlighted in #opendev (shell)',
      '  Wed 15:10 UTC (+10 min)  the whitelisted people are asked for a #status update, if none was posted; again every 30 min until one is',
      '  Wed 15:15 UTC (+15 min)  tier 2',
      '      Anil Varadkar-Iyer (Wed 20:45 in Asia/Kolkata): highlighted in #opendev (shell), private message on shell',
      '  Wed 15:20 UTC (+20 min)  tier 1, pass 2',
      '      Mara Quillfeather (Wed 09:20 in America/Chicago): highlighted in #opendev (shell), private message on shell',
      '      Greta Lindqvist-Ohm (Wed 16:20 in Europe/Berlin): highlighted in #opendev (shell)',
      '  Wed 15:30 UTC (+30 min)  tier 2, pass 2',
      '      Anil Varadkar-Iyer (Wed 21:00 in Asia/Kolkata): highlighted in #opendev (shell), private message on shell',
      '  Wed 15:45 UTC (+45 min)  escalation is exhausted; firebell says so in the channels and pages no more',
      'Every page reaches someone.',
      '',
    ].join('\n'),
  );
});

test("the README's try-sequence works on a fresh copy of the sample, each line answered as it should be", async (t) => {
  const root = sampleCopy(t);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Run the tests'));
  const block = /```text\n([\s\S]*?)```/.exec(quickStart)?.[1] ?? '';
  const lines = block
    .split('\n')
    .map((line) => line.replace(/\s{2,}\(.*\)$/, '').trim())
    .filter(Boolean);
  const expected: Record<string, RegExp> = {
    '!incident': /Incident #1 declared by you: PyPI mirror errors are failing gate jobs/,
    '/as': /you are now mara \(Mara Quillfeather, tier 1, on the whitelist\)/,
    '!status': /#1 PyPI mirror errors are failing gate jobs — announced, not acknowledged/,
    '!ack': /Incident #1 acknowledged by Mara Quillfeather after .*; nobody will be paged\./,
    '#status alert': /Finished sending alert: topics changed in 1\./,
    '!resolved':
      /Incident #1 \(PyPI mirror errors are failing gate jobs\) resolved by Mara Quillfeather after .*: mirror resynced/,
    '#status ok': /Finished sending ok: topics changed in 1\./,
    '!log': /#status ok by Mara Quillfeather: the gate is working again/,
    '!help':
      /Commands: !incident !ack !unack !assign !resolved !incidents !status !oncall !log !maintenance !playbook !help #status #success/,
  };
  assert.deepEqual(
    lines.map((line) => Object.keys(expected).find((prefix) => line.startsWith(prefix))),
    Object.keys(expected),
    `the README's lines: ${lines.join(' | ')}`,
  );
  const firebell = new FirebellProcess(['run', '--config', join(root, 'config')]);
  t.after(() => firebell.kill('SIGKILL'));
  await firebell.waitFor(/firebell shell: you are you/);
  for (const line of lines) {
    const prefix = Object.keys(expected).find((candidate) => line.startsWith(candidate)) ?? '';
    firebell.type(line);
    await firebell.waitFor(expected[prefix] as RegExp);
  }
  assert.equal(firebell.count(/Sorry, that failed/), 0);
  firebell.endInput();
  assert.equal((await firebell.exited).code, 0);
});
