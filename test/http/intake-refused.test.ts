/**
 * An alert whose incident the store refuses for what it holds (the journal drops it) is not stored: the
 * sender must not get a 2xx for it, but a 5xx that names the refusal, so it sends it again and the
 * operators see why. The intake runs as the listener runs it: inside a hold, answered after the barrier.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { intakeRoutes } from '../../src/http/intake-routes.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { journaledIntake } from '../../src/http/listener.js';
import { testConfig, testPolicy } from '../support/config-fixture.js';
import { coreWorld, stopWorlds } from '../support/core-world.js';
import { MemoryLogger } from '../support/memory-logger.js';

const TOKEN = 'generic-token-0123456789';
const servers: HttpServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await stopWorlds();
});

test('an alert whose incident the store refuses is answered 500 naming the refusal, never 2xx', async () => {
  const config = testConfig({
    policies: { default: testPolicy },
    intake: { group: 'infra', routes: [], flapWindowMinutes: 5 },
  });
  const w = await coreWorld({ config });
  const { journal } = w.durable;
  const intake = w.firebell.intake;
  assert.ok(intake);
  const logger = new MemoryLogger();
  const server = await startHttpServer({
    listen: '127.0.0.1:0',
    logger,
    bodyLimitBytes: 64 * 1024,
    plugins: [
      intakeRoutes({
        tokens: { generic: TOKEN },
        ...journaledIntake(journal, intake),
        logger,
      }),
    ],
  });
  servers.push(server);
  w.store.run(`CREATE TRIGGER refuse_incident BEFORE INSERT ON incidents
    BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  const response = fetch(`http://127.0.0.1:${server.port}/hooks/generic`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ summary: 'ceph is degraded', dedupKey: 'ceph', status: 'firing' }),
  });
  // The journal retries the refused batch after its first wait (simulated), then drops it.
  for (let minute = 1; minute <= 3; minute += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await w.at(minute);
  }
  const answer = await response;
  const text = await answer.text();
  assert.equal(answer.status, 500, text);
  assert.match(text, /refused by the test/);
  assert.deepEqual(w.store.rows('SELECT id FROM incidents'), []);
});
