import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStores } from '../../src/store/sqlite-store.js';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';

// Tier 1 is paged 3 s after the announcement, tier 2 6 s after that: short enough for a test, long enough
// to kill the process between them.
const FIREBELL_YAML = `
bot:
  admin: test
  playbookUrl: https://example.org/playbook
store:
  path: ../data/firebell.sqlite
networks:
  shell:
    user: reporter
groups:
  - id: infra
    members:
      - network: shell
        channel: '#infra'
escalation:
  defaultPolicy: fast
  policies:
    fast:
      tiers:
        - tier: 1
          afterMinutes: 0.05
        - tier: 2
          afterMinutes: 0.1
      whenExhausted:
        action: stop
        afterMinutes: 10
      statusReminder: null
`;

const CONTACTS_YAML = `
contacts:
  - id: ana
    name: Ana
    irc: { account: ana }
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 1
  - id: bo
    name: Bo
    irc: { account: bo }
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 2
`;

const WHITELIST_YAML = `
whitelist:
  - contact: ana
`;

test('killed with SIGKILL mid-escalation and started again: the next page at its original time, none twice', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-restart-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const config = writeConfig(root, {
    firebell: FIREBELL_YAML,
    contacts: CONTACTS_YAML,
    whitelist: WHITELIST_YAML,
  });

  const first = new FirebellProcess(['run', '--config', config]);
  t.after(() => first.kill('SIGKILL'));
  await first.waitFor(/firebell shell: you are reporter/);
  first.type('!incident the gate is failing');
  await first.waitFor(/Incident #1 declared by reporter/);
  const tier1 = await first.waitFor(/@ana: paging you \(tier 1\) for incident #1/, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  first.kill('SIGKILL');
  const died = await first.exited;
  assert.equal(died.signal, 'SIGKILL');
  assert.equal(first.count(/paging you \(tier 2\)/), 0, 'killed before tier 2 was due');

  const second = new FirebellProcess(['run', '--config', config]);
  t.after(() => second.kill('SIGKILL'));
  await second.waitFor(/firebell shell: you are reporter/);
  const tier2 = await second.waitFor(/@bo: paging you \(tier 2\) for incident #1/, 15_000);
  const late = tier2.at - (tier1.at + 6000);
  t.diagnostic(`tier 2 paged ${late} ms from its original due time`);
  assert.ok(Math.abs(late) <= 1000, `tier 2 paged ${late} ms from its original due time`);

  const allLines = [...first.lines, ...second.lines].map((line) => line.text);
  assert.equal(
    allLines.filter((text) => /paging you \(tier 1\)/.test(text)).length,
    1,
    'tier 1 was paged once',
  );
  assert.equal(
    allLines.filter((text) => /paging you \(tier 2\)/.test(text)).length,
    1,
    'tier 2 was paged once',
  );
  assert.equal(allLines.filter((text) => /private to ana\] .*You are paged \(tier 1\)/.test(text)).length, 1);
  assert.equal(
    allLines.filter((text) => /Incident #1 declared/.test(text)).length,
    1,
    'the announcement is not repeated',
  );

  second.type('/as ana');
  second.type('!ack 1');
  await second.waitFor(/Incident #1 acknowledged by Ana/);
  second.kill('SIGTERM');
  const stopped = await second.exited;
  assert.equal(stopped.code, 0, 'SIGTERM stops firebell cleanly');

  const stores = openSqliteStores(join(root, 'data', 'firebell.sqlite'));
  t.after(() => stores.close());
  const timeline = stores.incidents.timeline(1);
  assert.deepEqual(
    timeline.map((entry) => [entry.kind, entry.detail ?? '']),
    [
      ['detected', 'the gate is failing'],
      ['announced', ''],
      ['paged', 'tier 1: Ana'],
      ['paged', 'tier 2: Bo'],
      ['acknowledged', ''],
    ],
  );
  assert.deepEqual(stores.incidents.pendingEffects(), [], 'every stored effect was performed');
});

test('killed before the first page and started again 4 s later: the downtime and the late page are said', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-downtime-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const config = writeConfig(root, {
    firebell: FIREBELL_YAML,
    contacts: CONTACTS_YAML,
    whitelist: WHITELIST_YAML,
  });
  const first = new FirebellProcess(['run', '--config', config]);
  t.after(() => first.kill('SIGKILL'));
  await first.waitFor(/firebell shell: you are reporter/);
  first.type('!incident the gate is failing');
  await first.waitFor(/Incident #1 declared by reporter/);
  // Let the announcement's report be stored (escalation starts from it), then die before the page.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  first.kill('SIGKILL');
  await first.exited;
  await new Promise((resolve) => setTimeout(resolve, 4000));

  const second = new FirebellProcess(['run', '--config', config]);
  t.after(() => second.kill('SIGKILL'));
  const notice = await second.waitFor(/firebell was away/);
  assert.match(
    notice.text,
    /\[#infra\] -firebell- firebell was away from about \d\d:\d\d to \d\d:\d\d UTC \(\d+ s; it stopped unexpectedly\): nothing said to it meanwhile was seen, so repeat any command\. Resumed with their timers: incident #1\. Paged late because of it, now: #1 tier 1 \(due \d\d:\d\d UTC, \d+ s late\)\./,
  );
  await second.waitFor(/@ana: paging you \(tier 1\) for incident #1/);
  second.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);
});
