/**
 * Two firebell processes (the built CLI) on one PostgreSQL database, the shell network on each: one is
 * active, the other stands by. Killed mid-escalation, the active one's next page goes out from the standby
 * on time and once; paused past its lease and resumed, it is fenced and exits without sending anything.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { adminQuery, TEST_DATABASE_URL, testDatabase } from '../support/postgres.js';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';

const LEASE_SECONDS = 2;

/** A fresh database for the test, dropped at its end; its URL. */
async function freshDatabase(t: TestContext): Promise<string> {
  await testDatabase();
  const name = `fb_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  t.after(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

// Tier 1 is paged 3 s after the announcement, tier 2 6 s after that.
const firebellYaml = `
bot:
  admin: test
  playbookUrl: https://example.org/playbook
store:
  kind: postgres
  url: \${DATABASE_URL}
  leaseSeconds: ${LEASE_SECONDS}
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

const contactsYaml = `
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

async function twoInstances(t: TestContext): Promise<[FirebellProcess, FirebellProcess]> {
  const url = await freshDatabase(t);
  const root = mkdtempSync(join(tmpdir(), 'firebell-failover-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const config = writeConfig(root, {
    firebell: firebellYaml,
    contacts: contactsYaml,
    whitelist: 'whitelist:\n  - contact: ana\n',
  });
  const start = (): FirebellProcess => {
    const firebell = new FirebellProcess(['run', '--config', config], { DATABASE_URL: url });
    t.after(() => firebell.kill('SIGKILL'));
    return firebell;
  };
  const active = start();
  await active.waitFor(/firebell shell: you are reporter/, 15_000);
  const standby = start();
  await until(() => logged(standby, /standing by/), 20_000, 'the second instance standing by');
  assert.equal(standby.lines.length, 0, 'a standby says nothing in chat');
  return [active, standby];
}

const logged = (firebell: FirebellProcess, message: RegExp): Array<Record<string, unknown>> =>
  firebell.stderr
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => message.test(String(entry.msg)));

async function until(check: () => unknown[], timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (check().length === 0) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const pagesOf = (processes: FirebellProcess[], tier: number): number =>
  processes.flatMap((p) => p.lines).filter((line) => line.text.includes(`paging you (tier ${tier})`)).length;

test('the active instance SIGKILLed mid-escalation: the standby takes over and pages tier 2 on time, once', async (t) => {
  const [active, standby] = await twoInstances(t);
  active.type('!incident the gate is failing');
  await active.waitFor(/Incident #1 declared by reporter/);
  const tier1 = await active.waitFor(/@ana: paging you \(tier 1\) for incident #1/, 10_000);
  await sleep(1_000);
  const killedAt = Date.now();
  active.kill('SIGKILL');
  await active.exited;

  await standby.waitFor(/firebell shell: you are reporter/, 10_000);
  t.diagnostic(`standby connected ${Date.now() - killedAt} ms after the kill`);
  const [takeover] = logged(standby, /took over the lease/);
  assert.match(String(takeover?.reason), /the lease of .* lapsed at/, 'the log says why');
  const tier2 = await standby.waitFor(/@bo: paging you \(tier 2\) for incident #1/, 15_000);
  const late = tier2.at - (tier1.at + 6_000);
  t.diagnostic(`tier 2 paged ${late} ms from its original due time`);
  assert.ok(Math.abs(late) <= 1_000, `tier 2 paged ${late} ms from its original due time`);
  await sleep(1_000);
  assert.equal(pagesOf([active, standby], 1), 1, 'tier 1 once');
  assert.equal(pagesOf([active, standby], 2), 1, 'tier 2 once');
  assert.equal(standby.count(/Incident #1 declared/), 0, 'the announcement is not repeated');
});

test('the active instance paused past its lease, then resumed: fenced, it sends nothing and exits; no page doubled', async (t) => {
  const [active, standby] = await twoInstances(t);
  active.type('!incident the gate is failing');
  await active.waitFor(/Incident #1 declared by reporter/);
  active.kill('SIGSTOP');
  // Paused before tier 1 is due (3 s): the standby takes over and pages it.
  await standby.waitFor(/firebell shell: you are reporter/, 10_000);
  await standby.waitFor(/@ana: paging you \(tier 1\) for incident #1/, 10_000);
  const linesBefore = active.lines.length;
  active.kill('SIGCONT');
  const exit = await Promise.race([active.exited, sleep(LEASE_SECONDS * 1000 + 3_000).then(() => undefined)]);
  assert.equal(exit?.code, 3, 'the resumed instance exits (lease lost) instead of going on');
  assert.deepEqual(active.lines.slice(linesBefore), [], 'and says nothing after it resumed');
  assert.equal(logged(active, /lost the lease/).length, 1);
  await standby.waitFor(/@bo: paging you \(tier 2\) for incident #1/, 15_000);
  await sleep(500);
  assert.equal(pagesOf([active, standby], 1), 1, 'tier 1 once');
  assert.equal(pagesOf([active, standby], 2), 1, 'tier 2 once');
});

test("the active instance's database connections terminated: it stops within the lease and the standby takes over", async (t) => {
  const [active, standby] = await twoInstances(t);
  active.type('!incident the gate is failing');
  await active.waitFor(/Incident #1 declared by reporter/);
  const cutAt = Date.now();
  const { rows } = await adminQuery(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'firebell%:' || $1",
    [String(active.pid)],
  );
  assert.ok(rows.length >= 1, 'its connections were found by name');
  const exit = await Promise.race([active.exited, sleep(LEASE_SECONDS * 1000).then(() => undefined)]);
  assert.equal(exit?.code, 3, 'it stopped within the lease');
  t.diagnostic(`stopped ${Date.now() - cutAt} ms after the cut`);
  assert.match(String(logged(active, /lost the lease/)[0]?.reason), /connection/);
  await standby.waitFor(/firebell shell: you are reporter/, 10_000);
  await standby.waitFor(/@ana: paging you \(tier 1\) for incident #1/, 10_000);
  await sleep(500);
  assert.equal(pagesOf([active, standby], 1), 1, 'tier 1 once');
});
