/** /readyz names this instance's role: a standby or an instance that lost its lease is not ready. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readinessOf, type InstanceRole } from '../../src/http/ops-routes.js';

const with_ = (instance: InstanceRole) =>
  readinessOf({
    storeHealth: () => ({ ok: true }),
    networkStates: () => ({ libera: 'connected' }),
    instanceRole: () => instance,
  });

test('the active instance is ready and says since when; a lost one is not ready', () => {
  const since = '2026-12-06T15:00:00.000Z';
  assert.deepEqual(with_({ role: 'active', since }), {
    instance: { role: 'active', since },
    ready: true,
    store: 'ok',
    networks: { libera: 'connected' },
  });
  assert.equal(with_({ role: 'lost', since }).ready, false);
  assert.equal(with_({ role: 'single' }).ready, true);
});
