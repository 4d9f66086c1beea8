import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../../src/store/sqlite-store.js';

test('the alert, saved topics and history survive a reopen', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-status-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'firebell.sqlite');
  const ana = { name: 'Ana', network: 'libera', contactId: 'ana', account: 'ana' };

  const first = openSqliteStores(path);
  first.status.setAlert({ kind: 'alert', text: 'gate down', by: ana, at: 1000 });
  first.status.saveTopicIfUnsaved('libera', '#infra', 'Infra | meetings Tue', 1000);
  first.status.saveTopicIfUnsaved('libera', '#infra', 'gate down', 2000);
  first.status.record({ kind: 'alert', text: 'gate down', by: ana, at: 1000 });
  first.status.record({ kind: 'success', text: 'mirror held', by: ana, at: 3000 });
  first.close();

  const second = openSqliteStores(path);
  assert.deepEqual(second.status.currentAlert(), { kind: 'alert', text: 'gate down', by: ana, at: 1000 });
  assert.equal(
    second.status.savedTopic('libera', '#infra'),
    'Infra | meetings Tue',
    'the first saved topic stands',
  );
  assert.deepEqual(
    second.status.history(10).map((entry) => [entry.kind, entry.text]),
    [
      ['success', 'mirror held'],
      ['alert', 'gate down'],
    ],
  );
  second.status.clearSavedTopic('libera', '#infra');
  second.status.setAlert(null);
  assert.equal(second.status.savedTopic('libera', '#infra'), undefined);
  assert.equal(second.status.currentAlert(), undefined);
  second.close();
});
