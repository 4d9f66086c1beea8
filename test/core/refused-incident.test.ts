/**
 * A write the store refuses for what it holds (journal.ts drops it) must not leave its incident running on
 * a row that lacks the transition, nor let anything of that transition be said. The store here is the real
 * SQLite store with a trigger that refuses one specific write, the acknowledgement of incident #1, every
 * time (SQLITE_CONSTRAINT_TRIGGER), as a bug's value breaking a constraint would.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import { MemoryLogger } from '../support/memory-logger.js';

afterEach(stopWorlds);

const ana = ircUser('ana', 'ana');
const alice = ircUser('alice', 'alice');

/** Incident #1 declared by alice, then ana's `!ack 1`, whose transition the store refuses every time. */
async function refusedAck(logger: MemoryLogger): Promise<CoreWorld> {
  const w = await coreWorld({ logger });
  w.store.run(`CREATE TRIGGER refuse_ack BEFORE UPDATE ON incidents
    WHEN NEW.id = 1 AND NEW.phase = 'assigned' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
  w.irc.type('#infra', alice, '!incident ceph is degraded');
  await w.at(1);
  w.clear();
  w.irc.type('#infra', ana, '!ack 1');
  await w.at(3);
  return w;
}

test('an incident whose transition the store refuses is stopped and quarantined; firebell goes on', async () => {
  const logger = new MemoryLogger({ level: 'info' });
  const w = await refusedAck(logger);
  assert.deepEqual(
    w.all().filter((line) => /ack|Ana/i.test(line) && !line.includes('could not be stored')),
    [],
    'nothing of the acknowledgement that was not stored is said (only that it was not)',
  );
  assert.equal(w.firebell.service.get(1), undefined, 'the incident no longer runs');
  assert.deepEqual(
    w.store.rows('SELECT incident_id FROM quarantine'),
    [{ incident_id: 1 }],
    'it is quarantined in the store',
  );
  assert.deepEqual((await w.store.load()).openIncidents, [], 'a restart does not load it as open');
  assert.equal(w.durable.journal.health().ok, true);
  const { refused } = w.durable.journal.health();
  assert.equal(refused?.lastReason, 'refused by the test');
  assert.ok((refused?.count ?? 0) >= 1);
  assert.equal(logger.matching(/incident #1 stopped and quarantined/, 'error').length, 1);

  w.clear();
  w.irc.type('#infra', alice, '!incident zuul queue stuck');
  await w.at(4);
  assert.ok(
    w.all().some((line) => line.includes('zuul queue stuck')),
    'the next incident is announced: the store is not held back',
  );
});

test('the author of a command whose writes the store refused is answered, in the same conversation', async () => {
  const w = await refusedAck(new MemoryLogger({ level: 'info' }));
  const answers = w.irc.lines().filter((line) => line.includes('could not be stored'));
  assert.equal(answers.length, 1, `answered once: ${JSON.stringify(w.all())}`);
  assert.match(answers[0] ?? '', /^#infra: ana: That could not be stored \(refused by the test\)/);
  assert.match(answers[0] ?? '', /Incident #1 is quarantined\. Please tell firebell's operators\./);
  assert.ok(
    w.store
      .rows('SELECT content FROM deliveries')
      .some((row) => JSON.stringify(row).includes('could not be stored')),
    'the answer is stored before it is said',
  );
});
