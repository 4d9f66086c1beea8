import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomSerializer } from '../../../src/networks/matrix/room-serializer.js';
import { MemoryLogger } from '../../support/memory-logger.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a room handles one event at a time, in order; rooms do not wait for each other; failures are logged', async () => {
  const logger = new MemoryLogger();
  const serializer = new RoomSerializer(logger);
  const log: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  serializer.run('!a', async () => {
    log.push('a1 start');
    await gate;
    log.push('a1 end');
  });
  serializer.run('!a', () => {
    log.push('a2');
  });
  serializer.run('!a', () => {
    throw new Error('boom');
  });
  serializer.run('!a', () => {
    log.push('a4');
  });
  serializer.run('!b', () => {
    log.push('b1');
  });
  await tick();
  assert.deepEqual(log, ['a1 start', 'b1'], 'b ran while a1 was still busy; a2 waited');
  release();
  await serializer.settled();
  assert.deepEqual(log, ['a1 start', 'b1', 'a1 end', 'a2', 'a4']);
  assert.equal(logger.find('error', /handling a Matrix event failed/)?.fields.roomId, '!a');
});
