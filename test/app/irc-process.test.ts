/**
 * The whole firebell, as shipped (the CLI, its config files, SQLite, the IRC adapter), against InspIRCd 3
 * with Anope 2 services: an incident declared and acknowledged; `#status` refused to a user who merely took
 * a whitelisted person's nick, and accepted from the real account holder; the topic the alert replaced
 * restored by `#status ok` after firebell was restarted; `#status` in a private message.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InspircdWithAnope } from '../servers/inspircd-anope.js';
import { IrcTestClient, type ReceivedLine } from '../servers/irc-test-client.js';
import { FirebellProcess, writeConfig } from '../support/firebell-process.js';

const BOT_PASSWORD = 'bot-secret-123';
const ALICE_PASSWORD = 'alice-secret-123';
const ORIGINAL_TOPIC = 'Infra team | meetings Tuesdays 19:00 UTC';

let server: InspircdWithAnope;
let root: string;
let config: string;
let opuser: IrcTestClient;
const clients: IrcTestClient[] = [];
const processes: FirebellProcess[] = [];

function firebellYaml(port: number): string {
  return `
bot:
  admin: ops@firebell.test
  playbookUrl: https://example.org/playbook
store:
  path: ../data/firebell.sqlite
networks:
  shell:
    enabled: false
  irc:
    - id: testnet
      host: 127.0.0.1
      port: ${port}
      tls: false
      nick: fbbot
      sasl:
        account: fbbot
        password: \${FIREBELL_TEST_IRC_PASSWORD}
      pacing: { burst: 10, linesPerSecond: 10 }
groups:
  - id: infra
    members:
      - network: testnet
        channel: '#infra'
escalation:
  defaultPolicy: default
  policies:
    default:
      tiers:
        - { tier: 1, afterMinutes: 30 }
statusbot:
  alertFile: ../data/alert.json
`;
}

const CONTACTS = `
contacts:
  - id: alice
    name: Alice
    irc: { account: alice, nick: alice }
    timezone: UTC
    hours: { daily: '00:00-24:00' }
    tier: 1
`;

const WHITELIST = `
whitelist:
  - contact: alice
`;

async function human(nick: string, sasl?: { account: string; password: string }): Promise<IrcTestClient> {
  const client = await IrcTestClient.connect({ port: server.port, nick, ...(sasl ? { sasl } : {}) });
  clients.push(client);
  return client;
}

async function startFirebell(): Promise<FirebellProcess> {
  const firebell = new FirebellProcess(['run', '--config', config], {
    FIREBELL_TEST_IRC_PASSWORD: BOT_PASSWORD,
  });
  processes.push(firebell);
  return firebell;
}

/** The text without IRC formatting codes (firebell makes incident numbers bold). */
const plain = (text: string): string =>
  text.replace(/\x03(\d{1,2}(,\d{1,2})?)?|[\x02\x0f\x11\x16\x1d\x1e\x1f]/g, '');

const fromBot =
  (text: RegExp, target = '#infra') =>
  (line: ReceivedLine) =>
    line.message.nick === 'fbbot' &&
    (line.message.command === 'NOTICE' || line.message.command === 'PRIVMSG') &&
    line.message.params[0] === target &&
    text.test(plain(line.message.params[1] ?? ''));

before(async () => {
  server = await InspircdWithAnope.start({ floodBurst: 30, floodLinesPerSecond: 20 });
  for (const [account, password] of [
    ['fbbot', BOT_PASSWORD],
    ['alice', ALICE_PASSWORD],
  ] as const) {
    const client = await IrcTestClient.connect({ port: server.port, nick: account });
    client.say('NickServ', `REGISTER ${password} ${account}@firebell.test`);
    await client.waitFor((line) => line.message.command === '900', { what: `${account} registered` });
    await client.quit();
  }
  // The channel exists with its topic before firebell arrives; its operator gives firebell +o.
  opuser = await human('opuser');
  await opuser.join('#infra');
  opuser.send(`TOPIC #infra :${ORIGINAL_TOPIC}`);
  root = mkdtempSync(join(tmpdir(), 'firebell-irc-process-'));
  config = writeConfig(root, {
    firebell: firebellYaml(server.port),
    contacts: CONTACTS,
    whitelist: WHITELIST,
  });
});

after(async () => {
  for (const firebell of processes) firebell.kill('SIGKILL');
  for (const client of clients) client.close();
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('firebell on IRC: incidents, #status for the real account only, topics restored after a restart', async () => {
  const first = await startFirebell();
  await opuser.waitFor((line) => line.message.command === 'JOIN' && line.message.nick === 'fbbot', {
    timeoutMs: 20_000,
    what: 'firebell joining',
  });
  opuser.send('MODE #infra +o fbbot');

  // Someone without an account takes Alice's nick while she is away.
  const impostor = await human('alice');
  await impostor.join('#infra');
  impostor.say('#infra', '!incident the gate is failing');
  await impostor.waitFor(fromBot(/^Incident #1 declared by alice: the gate is failing/), {
    timeoutMs: 10_000,
    what: 'the announcement',
  });
  impostor.say('#infra', '#status alert everything is fine, go home');
  const refusal = await impostor.waitFor(fromBot(/^alice: /), { timeoutMs: 10_000, what: 'the refusal' });
  assert.match(refusal.message.params[1] ?? '', /identify to NickServ/);
  await impostor.quit();

  // The real Alice, logged in to her account (SASL) on another nick.
  const alice = await human('alice_', { account: 'alice', password: ALICE_PASSWORD });
  await alice.join('#infra');
  alice.say('#infra', '!ack');
  await alice.waitFor(fromBot(/^Incident #1 acknowledged by Alice/), { timeoutMs: 10_000, what: 'the ack' });
  alice.say('#infra', '#status alert The gate is failing on PyPI mirror errors. Please stand by...');
  await alice.waitFor(fromBot(/^NOTICE: The gate is failing on PyPI mirror errors/), {
    timeoutMs: 10_000,
    what: 'the alert notice',
  });
  await alice.waitFor(
    (line) =>
      line.message.command === 'TOPIC' &&
      line.message.params[1] === 'The gate is failing on PyPI mirror errors. Please stand by...',
    { timeoutMs: 10_000, what: 'the alert topic' },
  );
  await alice.waitFor(fromBot(/^alice_: Finished sending alert: topics changed in 1\.$/), {
    timeoutMs: 10_000,
    what: 'the report',
  });
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'data', 'alert.json'), 'utf8')), {
    alert: 'The gate is failing on PyPI mirror errors. Please stand by...',
  });

  // Restart: the old statusbot forgot the topic here and "restored" the alert text.
  first.kill('SIGTERM');
  assert.equal((await first.exited).code, 0);
  const second = await startFirebell();
  await opuser.waitFor((line) => line.message.command === 'JOIN' && line.message.nick === 'fbbot', {
    from: opuser.lines.length,
    timeoutMs: 20_000,
    what: 'firebell rejoining',
  });
  opuser.send('MODE #infra +o fbbot');
  await opuser.waitFor((line) => line.message.command === 'MODE' && line.message.params.includes('fbbot'), {
    from: opuser.lines.length - 1,
  });
  // In a private message, as people first tried in 2013.
  alice.say('fbbot', '#status ok the mirror is resynced, recheck your changes');
  await alice.waitFor(
    (line) => line.message.command === 'TOPIC' && line.message.params[1] === ORIGINAL_TOPIC,
    {
      timeoutMs: 10_000,
      what: 'the original topic back',
    },
  );
  await alice.waitFor(fromBot(/^NOTICE: the mirror is resynced/), {
    timeoutMs: 10_000,
    what: 'the ok notice',
  });
  assert.deepEqual(JSON.parse(readFileSync(join(root, 'data', 'alert.json'), 'utf8')), { alert: null });
  assert.ok(
    second.stderr.every((line) => !line.includes(BOT_PASSWORD)),
    'the password never reaches the log',
  );
});
