/**
 * The house's checks can fail: `npm run lint` refuses a core file that imports the config layer, and a
 * source file over 400 lines that does not say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('lint refuses a core file that imports the config layer, and accepts one that uses the core words', async () => {
  const eslint = new ESLint({ cwd: root });
  const [refused] = await eslint.lintText(
    "import type { Contact } from '../config/config.js';\nexport type Person = Contact;\n",
    { filePath: join(root, 'src/core/probe.ts') },
  );
  assert.deepEqual(
    refused?.messages.map((message) => message.ruleId),
    ['no-restricted-imports'],
  );
  assert.match(refused?.messages[0]?.message ?? '', /The core owns its words/);
  const [machine] = await eslint.lintText(
    "import type { GroupConfig } from '../src/config/schema.js';\nexport type G = GroupConfig;\n",
    { filePath: join(root, 'machines/probe.ts') },
  );
  assert.equal(machine?.errorCount, 1, 'the machines are held to it too');
  const [accepted] = await eslint.lintText(
    "import type { Contact } from './settings.js';\nexport type Person = Contact;\n",
    { filePath: join(root, 'src/core/probe.ts') },
  );
  assert.equal(accepted?.errorCount, 0);
});

test('the size check names a file over 400 lines without a reason, and passes one with it', (t) => {
  const tree = mkdtempSync(join(tmpdir(), 'firebell-sizes-'));
  t.after(() => rmSync(tree, { recursive: true, force: true }));
  mkdirSync(join(tree, 'src/core'), { recursive: true });
  mkdirSync(join(tree, 'machines'));
  const long = (header: string): string => header + 'export const x = 1;\n'.repeat(401);
  writeFileSync(join(tree, 'src/core/big.ts'), long('// a big file\n'));
  writeFileSync(
    join(tree, 'machines/ok.ts'),
    long('// Why this file is long: one definition reads best whole.\n'),
  );
  const script = join(root, 'scripts/check-sizes.mjs');
  const failed = spawnSync(process.execPath, [script, tree], { encoding: 'utf8' });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /src\/core\/big\.ts: 402 lines/);
  assert.doesNotMatch(failed.stderr, /machines\/ok\.ts/);
  writeFileSync(join(tree, 'src/core/big.ts'), 'export const x = 1;\n'.repeat(400));
  const passed = spawnSync(process.execPath, [script, tree], { encoding: 'utf8' });
  assert.equal(passed.status, 0, passed.stderr);
  const real = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  assert.equal(real.status, 0, `the tree itself: ${real.stderr}`);
});
