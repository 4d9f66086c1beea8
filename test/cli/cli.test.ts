import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../support/firebell-process.js';

const SAMPLE = fileURLToPath(new URL('../../../config/', import.meta.url));
const WHITELIST = fileURLToPath(new URL('../../../whitelist.yaml', import.meta.url));

function firebell(args: string[], cwd?: string) {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    ...(cwd ? { cwd } : {}),
    env: { ...process.env },
  });
}

test('firebell check passes on the sample configuration', () => {
  const result = firebell(['check', '--config', SAMPLE]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'config OK: 6 contacts (2 tiers), 4 whitelisted, 1 group, 1 policy');
});

test('firebell check fails with every problem, naming file and line', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-check-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(SAMPLE, join(root, 'config'), { recursive: true });
  cpSync(WHITELIST, join(root, 'whitelist.yaml'));
  const contacts = join(root, 'config', 'contacts.yaml');
  writeFileSync(
    contacts,
    readFileSync(contacts, 'utf8').replace('timezone: America/Chicago', 'timezone: Mars/Olympus'),
  );
  const whitelist = join(root, 'whitelist.yaml');
  writeFileSync(whitelist, `${readFileSync(whitelist, 'utf8')}  - ttx\n`);
  const result = firebell(['check', '--config', join(root, 'config')]);
  assert.equal(result.status, 1);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 2, result.stderr);
  assert.match(
    lines[0] ?? '',
    /config\/contacts\.yaml:\d+:\d+: contacts\[0\]\.timezone: expected an IANA timezone/,
  );
  assert.match(lines[1] ?? '', /whitelist\.yaml:\d+:\d+: whitelist\[4\]: .*nick/);
});

test('firebell run refuses a broken configuration and starts nothing', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-broken-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(SAMPLE, join(root, 'config'), { recursive: true });
  cpSync(WHITELIST, join(root, 'whitelist.yaml'));
  const main = join(root, 'config', 'firebell.yaml');
  writeFileSync(main, readFileSync(main, 'utf8').replace('afterMinutes: 5', 'afterMinute: 5'));
  const result = firebell(['run', '--config', join(root, 'config')]);
  assert.equal(result.status, 1);
  assert.match(
    result.stderr,
    /firebell\.yaml:\d+:\d+: escalation\.policies\.default\.tiers\[0\]\.afterMinute: unknown key "afterMinute" \(did you mean "afterMinutes"\?\)/,
  );
  assert.match(result.stderr, /nothing was started/);
});

test('firebell playbook renders Markdown and HTML from the configuration', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-playbook-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const markdown = firebell(['playbook', '--config', SAMPLE]);
  assert.equal(markdown.status, 0, markdown.stderr);
  assert.match(markdown.stdout, /^# OpenDev infrastructure incident play book/);
  const out = join(root, 'playbook.html');
  const html = firebell(['playbook', '--config', SAMPLE, '--format', 'html', '--out', out]);
  assert.equal(html.status, 0, html.stderr);
  assert.match(readFileSync(out, 'utf8'), /^<!DOCTYPE html>/i);
  const bad = firebell(['playbook', '--config', SAMPLE, '--format', 'pdf']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format must be markdown or html/);
});

test('unknown commands and options get the usage', () => {
  const result = firebell(['frobnicate']);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /unknown command "frobnicate"/);
  assert.match(result.stderr, /usage:/);
});

test('a store that will not open stops firebell with one clear line, exit 1', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-badstore-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  cpSync(SAMPLE, join(root, 'config'), { recursive: true });
  cpSync(WHITELIST, join(root, 'whitelist.yaml'));
  const store = join(root, 'not-a-database.sqlite');
  writeFileSync(store, 'this is not SQLite');
  const main = join(root, 'config', 'firebell.yaml');
  writeFileSync(main, readFileSync(main, 'utf8').replace('path: ../data/firebell.sqlite', `path: ${store}`));
  // --shell: without a terminal the shell is opt-in; this test is about the store.
  const result = firebell(['run', '--config', join(root, 'config'), '--shell']);
  assert.equal(result.status, 1);
  assert.equal(
    result.stderr.trim().split('\n').at(-1),
    `firebell: cannot open the store at ${store}: file is not a database`,
  );
});
