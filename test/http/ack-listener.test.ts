/**
 * One-tap acknowledgement as `firebell run` composes it: the listener built from the config serves the ack
 * routes, the ntfy channel built from the same config puts the signed link on the page, and tapping it
 * acknowledges the incident declared in the shell, announced there "from a push notification".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runFirebell, type RunningFirebell } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { NtfyServer } from '../ntfy-server/ntfy-server.js';
import { hours, makePolicy } from '../support/builders.js';
import { contacts, shellOnly, testConfig } from '../support/config-fixture.js';
import { until } from '../support/until.js';
import { freePort } from '../servers/server-process.js';

const SECRET = 'listener-ack-secret-0123456789abcdef';
let dir: string;
let running: RunningFirebell;
let printed = '';
const input = new PassThrough();
const ntfy = new NtfyServer();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firebell-ack-listener-'));
  const ntfyUrl = await ntfy.start();
  const port = await freePort();
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const ana = {
    ...contacts[0]!,
    hours: hours({ daily: '00:00-24:00' }),
    ntfy: { server: ntfyUrl, topic: 'ana-pages' },
  };
  const config = testConfig({
    storePath: join(dir, 'firebell.sqlite'),
    contacts: [ana],
    ...shellOnly('mara'),
    // Tier 1 is paged a second after the announcement: real time, since this is the real composition.
    policies: { default: makePolicy({ tiers: [{ tier: 1, afterMinutes: 1 / 60 }] }) },
    ackLinks: { secret: SECRET, expiresAfterHours: 24 },
  });
  running = await runFirebell({
    config: {
      ...config,
      bot: { ...config.bot, httpListen: `127.0.0.1:${port}`, publicUrl: `http://127.0.0.1:${port}/` },
    },
    logger: silentLogger,
    stdin: input,
    stdout: output,
    interactive: false,
    shell: true,
  });
});

after(async () => {
  await running?.stop();
  await ntfy.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the page on the phone carries a link the listener honours: GET shows, POST acknowledges once', async () => {
  input.write('!incident the gate is failing\n');
  await until(() => ntfy.notifications('ana-pages').length === 1, 'the push to Ana', 15_000);
  const [push] = ntfy.notifications('ana-pages');
  const link = push?.actions.find((action) => action.action === 'http')?.url ?? '';
  assert.match(link, new RegExp(`^${running.httpUrl}/ack/1/`));

  const shown = await fetch(link);
  assert.equal(shown.status, 200);
  assert.match(await shown.text(), /the gate is failing/);
  assert.doesNotMatch(printed, /acknowledged by/, 'opening the link acknowledged nothing');

  const tapped = await fetch(link, { method: 'POST' });
  assert.equal(tapped.status, 200);
  await until(() => /acknowledged by Ana from a push notification/.test(printed), 'the ack in the shell');
  assert.equal((await fetch(link, { method: 'POST' })).status, 409, 'the link works once');
});
