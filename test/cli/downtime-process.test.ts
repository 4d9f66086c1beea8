/** A real firebell killed mid-escalation says, when it comes back, that it was away and which page is late. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';

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
`;

test('killed before the first page and started again 4 s later: the downtime and the late page are said', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'firebell-downtime-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const config = writeConfig(root, {
    firebell: FIREBELL_YAML,
    contacts: CONTACTS_YAML,
    whitelist: 'whitelist:\n  - contact: ana\n',
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
