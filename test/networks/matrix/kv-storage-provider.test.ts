import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyValueStorageProvider } from '../../../src/networks/matrix/kv-storage-provider.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';

test('sync token, filter and values live in the KeyValueStore; unchanged tokens are not rewritten', () => {
  const kv = new MemoryKeyValueStore();
  const storage = new KeyValueStorageProvider(kv, 'matrix:m');
  assert.equal(storage.getSyncToken(), null);
  assert.equal(storage.getFilter(), null);
  storage.setSyncToken('s1');
  storage.setSyncToken('s1');
  storage.setSyncToken('s1');
  assert.equal(kv.writes, 1, 'a long-poll that brings nothing new costs no write');
  storage.setSyncToken('s2');
  assert.equal(new KeyValueStorageProvider(kv, 'matrix:m').getSyncToken(), 's2');
  storage.setFilter({ id: 3, filter: { room: {} } });
  assert.deepEqual(storage.getFilter(), { id: 3, filter: { room: {} } });
  storage.storeValue('k', 'v');
  assert.equal(storage.readValue('k'), 'v');
  storage.setSyncToken(null);
  assert.equal(storage.getSyncToken(), null);
  assert.deepEqual(kv.keys('matrix:m').sort(), ['filter', 'value:k']);
  assert.equal(new KeyValueStorageProvider(kv, 'matrix:other').getSyncToken(), null);
});
