/**
 * Stopping is prompt: the adapter aborts its /sync long-poll and every other request in flight and closes
 * its sockets, so a process running it exits on SIGTERM within 2 s (it used to take 14-30 s), with
 * nothing left to keep it alive; what was still queued settles `abandoned` (for the outbox to send after
 * the restart). Each case runs the adapter in a process of its own (stop-child.ts).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TestHomeserver, type TestUser } from '../../matrix-homeserver/homeserver.js';

const CHILD = fileURLToPath(new URL('./stop-child.js', import.meta.url));
const EXIT_WITHIN_MS = 2_000;

let hs: TestHomeserver;
let botUser: TestUser;
let room: string;

before(async () => {
  hs = await TestHomeserver.start();
  botUser = hs.createUser('firebell');
  const alice = hs.createUser('alice');
  room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
});
after(() => hs.stop());

async function runAndStop(queued: number): Promise<{ exitMs: number; outcomes: string[] }> {
  const syncsBefore = hs.requestsTo('sync').length;
  const child = spawn(
    process.execPath,
    [CHILD, hs.url, botUser.userId, botUser.token, room, String(queued)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  const waitFor = (text: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (output.includes(text)) resolve();
      };
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        check();
      });
      child.once('exit', () => reject(new Error(`the child exited before "${text}": ${output}`)));
      check();
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor('queued');
    // Let the long-poll start (the first sync does not wait; the second does).
    while (hs.requestsTo('sync').length < syncsBefore + 2)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), 10_000)),
    );
    const result = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    assert.notEqual(result, 'timeout', 'the process did not exit within 10 s');
    const exitMs = performance.now() - started;
    const last = output.trim().split('\n').at(-1) ?? '';
    return { exitMs, outcomes: last.startsWith('[') ? (JSON.parse(last) as string[]) : [] };
  } finally {
    child.kill('SIGKILL');
  }
}

test('idle, in a /sync long-poll: SIGTERM exits within 2 s', async () => {
  const { exitMs } = await runAndStop(0);
  assert.ok(exitMs < EXIT_WITHIN_MS, `exited after ${Math.round(exitMs)} ms`);
});

test('with sends stuck at the homeserver: SIGTERM exits within 2 s, and everything queued settles abandoned', async () => {
  hs.faults.add({ route: 'send', userId: botUser.userId, kind: 'delay', ms: 20_000, times: 5 });
  const { exitMs, outcomes } = await runAndStop(5);
  assert.ok(exitMs < EXIT_WITHIN_MS, `exited after ${Math.round(exitMs)} ms`);
  assert.deepEqual(outcomes, ['abandoned', 'abandoned', 'abandoned', 'abandoned', 'abandoned']);
  assert.equal(hs.messagesFrom(room, botUser.userId).length, 0);
  hs.faults.clear();
});
