import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServer, MissingServerError } from './find-server.js';

function dirWith(t: { after(fn: () => void): void }, program: string, mode = 0o755): string {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-path-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, program);
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, mode);
  return dir;
}

test('a server program is found on PATH, wherever PATH puts it', (t) => {
  const dir = dirWith(t, 'ngircd');
  assert.equal(findServer('ngircd', 'ngircd', `/nonexistent:${dir}`, []), join(dir, 'ngircd'));
});

test('the sbin directories are searched after PATH (a non-root PATH often lacks /usr/sbin)', (t) => {
  const sbin = dirWith(t, 'inspircd');
  assert.equal(findServer('inspircd', 'inspircd', '/nonexistent', [sbin]), join(sbin, 'inspircd'));
});

test('a file that is not executable does not count', (t) => {
  const dir = dirWith(t, 'anope', 0o644);
  assert.throws(() => findServer('anope', 'anope', dir, []), MissingServerError);
});

test('a missing server fails with one line naming the package to install, no stack trace', () => {
  let caught: unknown;
  try {
    findServer('firebell-no-such-ircd', 'inspircd', '/nonexistent', ['/nonexistent-sbin']);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof MissingServerError);
  assert.equal(
    caught.message,
    'firebell-no-such-ircd is not installed (looked on PATH and in /nonexistent-sbin): install the Debian package "inspircd" (sudo apt-get install -y inspircd)',
  );
  assert.equal(caught.stack?.split('\n').length, 1, 'the report is one line');
});
