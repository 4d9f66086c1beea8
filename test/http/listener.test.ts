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
import { shellOnly, testConfig } from '../support/config-fixture.js';
import { until } from '../support/until.js';

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
    ...shellOnly('ana'),
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

test('the listener serves the site and the play book, and says where it is', async () => {
  assert.match(running.httpUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
  input.write('!incident the gate is failing\n');
  await until(() => printed.includes('Incident #1'), 'the announcement in the shell', 10_000);
  await until(
    async () => (await (await fetch(`${running.httpUrl}/`)).text()).includes('the gate is failing'),
    'the incident on the site',
    10_000,
  );
  const playbook = await fetch(`${running.httpUrl}/playbook`);
  assert.equal(playbook.status, 200);
  assert.match(await playbook.text(), /<html lang="en">/);
});

test('the metrics count the incident, its announcement, the commits and the requests', async () => {
  await until(
    async () => (await metrics()).includes('purpose="announce",outcome="delivered"} 1'),
    'the delivery counted',
    10_000,
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

test('the time to acknowledge is measured from the declaration to the first ack', async () => {
  assert.match(await metrics(), /^firebell_time_to_ack_seconds_count 0$/m);
  input.write('!ack 1\n');
  await until(
    async () => /^firebell_time_to_ack_seconds_count 1$/m.test(await metrics()),
    'the acknowledgement measured',
    10_000,
  );
  assert.match(await metrics(), /^firebell_incidents_open\{phase="assigned"\} 1$/m);
});

const metrics = async (): Promise<string> => (await fetch(`${running.httpUrl}/metrics`)).text();
