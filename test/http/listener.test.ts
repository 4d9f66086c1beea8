/**
 * The whole composition as `firebell run` starts it, with `http.listen` set: the status site, the play
 * book and the metrics are served by the one listener, and the metrics count what really happened (the
 * incident declared in the shell, its announcement delivered, the store's commits, the requests).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runFirebell, type RunningFirebell } from '../../src/app.js';
import { silentLogger } from '../../src/core/logger.js';
import { testConfig } from '../support/config-fixture.js';

let dir: string;
let running: RunningFirebell;
let printed = '';
const input = new PassThrough();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'firebell-listener-'));
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
  const config = testConfig({
    storePath: join(dir, 'firebell.sqlite'),
    networks: { shell: { enabled: true, user: 'ana', id: 'shell', kind: 'shell' }, irc: [], matrix: [] },
    groups: [
      {
        id: 'infra',
        members: [{ network: 'shell', conversation: '#infra', topic: true, status: true }],
        relay: false,
        relayJoinsAndParts: false,
      },
    ],
  });
  running = await runFirebell({
    config: { ...config, bot: { ...config.bot, httpListen: '127.0.0.1:0' } },
    logger: silentLogger,
    stdin: input,
    stdout: output,
    interactive: false,
    shell: true,
  });
});

after(async () => {
  await running?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('the listener serves the site and the play book, and says where it is', async () => {
  assert.match(running.httpUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  input.write('!incident the gate is failing\n');
  await until(() => printed.includes('Incident #1'), 'the announcement in the shell');
  await until(
    async () => (await (await fetch(`${running.httpUrl}/`)).text()).includes('the gate is failing'),
    'the incident on the site',
  );
  const playbook = await fetch(`${running.httpUrl}/playbook`);
  assert.equal(playbook.status, 200);
  assert.match(await playbook.text(), /<html lang="en">/);
});

test('the metrics count the incident, its announcement, the commits and the requests', async () => {
  await until(
    async () => (await metrics()).includes('purpose="announce",outcome="delivered"} 1'),
    'the delivery counted',
  );
  const text = await metrics();
  assert.match(text, /^firebell_incidents_open\{phase="announced"\} 1$/m);
  assert.match(text, /^firebell_network_connected\{network="shell"\} 1$/m);
  assert.match(text, /^firebell_store_healthy 1$/m);
  assert.match(
    text,
    /^firebell_deliveries_total\{network="shell",purpose="announce",outcome="delivered"\} 1$/m,
  );
  const commits = /^firebell_store_commit_seconds_count (\d+)$/m.exec(text);
  assert.ok(Number(commits?.[1]) > 0, 'commits were timed');
  assert.match(text, /^firebell_http_requests_total\{route="\/",status="200"\} \d+$/m);
  assert.match(text, /^firebell_process_resident_memory_bytes \d+/m, 'the default process metrics');
});

const metrics = async (): Promise<string> => (await fetch(`${running.httpUrl}/metrics`)).text();
