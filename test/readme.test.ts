/** The README stays true: its command reference names every command firebell has, with its aliases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/core/commands/catalog.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const commandsSection = readme.slice(
  readme.indexOf('## Commands'),
  readme.indexOf('## Connecting to IRC and Matrix'),
);

test('the README command reference lists every command and alias', () => {
  for (const spec of COMMANDS) {
    const usage =
      spec.name === 'status-update' ? '#status alert' : (spec.usage.split(' ')[0] ?? spec.trigger);
    assert.ok(commandsSection.includes(`\`${usage}`), `README lacks ${spec.trigger}`);
    for (const alias of spec.aliases)
      assert.ok(commandsSection.includes(`\`${alias}\``), `README lacks the alias ${alias}`);
  }
});

test('the README gives the two commands that work on a fresh machine', () => {
  assert.match(readme, /npm ci && npm start/);
  assert.match(readme, /```sh\nnpm test\n```/);
});
