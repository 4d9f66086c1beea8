/**
 * `firebell doctor` against InspIRCd with Anope services (issue 13, item 12): services login, joining
 * each channel, the right to set topics, and whether each account exists, on real servers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InspircdWithAnope } from '../servers/inspircd-anope.js';
import { IrcTestClient } from '../servers/irc-test-client.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { contacts, testConfig } from '../support/config-fixture.js';
import { ircConfig } from '../networks/irc/helpers.js';
import type { Config } from '../../src/config/config.js';
import type { IrcNetworkConfig } from '../../src/config/schema.js';

const PASSWORDS = { fbdoc: 'doc-pass-123', alice: 'alice-pass-123' };
let server: InspircdWithAnope;
let opuser: IrcTestClient;

before(async () => {
  server = await InspircdWithAnope.start({ floodBurst: 50, floodLinesPerSecond: 50 });
  for (const [account, password] of Object.entries(PASSWORDS)) {
    const client = await IrcTestClient.connect({ port: server.port, nick: account });
    client.say('NickServ', `REGISTER ${password} ${account}@firebell.test`);
    await client.waitFor((line) => line.message.command === '900', { what: `${account} registered` });
    await client.quit();
  }
  opuser = await IrcTestClient.connect({ port: server.port, nick: 'opuser' });
  for (const channel of ['#locked', '#keyed', '#banned', '#invite']) await opuser.join(channel);
  opuser.send('MODE #locked +t');
  opuser.send('MODE #keyed +k sesame');
  opuser.send('MODE #banned +b fbdoc*!*@*');
  opuser.send('MODE #invite +i');
  await opuser.waitFor((line) => line.message.command === 'MODE' && line.message.params[0] === '#invite');
});

after(async () => {
  await opuser?.quit();
  await server?.stop();
});

function configFor(network: Partial<IrcNetworkConfig>): Config {
  const base = testConfig();
  const group = base.groups[0];
  assert.ok(group);
  return testConfig({
    networks: {
      irc: [ircConfig({ port: server.port, nick: 'fbdoc', channelKeys: { '#keyed': 'sesame' }, ...network })],
      matrix: [],
    },
    groups: [
      {
        ...group,
        members: ['#fresh', '#locked', '#keyed', '#banned', '#invite'].map((channel) => ({
          network: 'testnet',
          conversation: channel,
          topic: true,
          status: true,
        })),
      },
    ],
    contacts: [
      { ...contacts[0]!, irc: { account: 'alice' } },
      { ...contacts[1]!, irc: { account: 'bobby_nobody' } },
    ],
    whitelist: [{ name: 'Sol', irc: { account: 'solx' } }],
  });
}

test('doctor on InspIRCd and Anope: SASL, joins, topic rights and accounts, each with what to do', async () => {
  const lines: string[] = [];
  const report = await runDoctor(configFor({ sasl: { account: 'fbdoc', password: PASSWORDS.fbdoc } }), {
    timeoutMs: 20_000,
    onLine: (line) => lines.push(line),
  });
  assert.deepEqual(lines.slice(0, 1), [`IRC testnet (127.0.0.1:${server.port}):`]);
  const body = lines.slice(1, -1);
  assert.deepEqual(body, [
    '  ok    connect: registered as fbdoc',
    '  ok    services login: SASL as fbdoc',
    '  ok    join #fresh: joined',
    '  ok    topic in #fresh: firebell is a channel operator',
    '  ok    join #locked: joined',
    '  FAIL  topic in #locked: the channel is +t and firebell is not a channel operator: #status alert cannot change the topic (give it +o or ChanServ access, or set topic: false for this member)',
    '  ok    join #keyed: joined',
    '  FAIL  topic in #keyed: the channel is +t and firebell is not a channel operator: #status alert cannot change the topic (give it +o or ChanServ access, or set topic: false for this member)',
    body.find((line) => line.includes('join #banned')) ?? 'join #banned missing',
    body.find((line) => line.includes('join #invite')) ?? 'join #invite missing',
    '  ok    contact ana (Ana): IRC account alice: registered',
    body.find((line) => line.includes('bobby_nobody')) ?? 'bobby_nobody missing',
    body.find((line) => line.includes('solx')) ?? 'solx missing',
  ]);
  assert.match(body[8] ?? '', /^ {2}FAIL {2}join #banned: firebell is banned \(\+b\)/);
  assert.match(body[9] ?? '', /^ {2}FAIL {2}join #invite: the channel is invite-only \(\+i\)/);
  assert.match(
    body[11] ?? '',
    /^ {2}FAIL {2}contact bo \(Bo\): IRC account bobby_nobody: not registered with NickServ/,
  );
  assert.match(
    body[12] ?? '',
    /^ {2}FAIL {2}whitelisted Sol: IRC account solx: not registered with NickServ/,
  );
  assert.equal(
    lines.at(-1),
    'doctor: 6 problems will fail at 03:00, 0 warnings (13 checks); fix the FAIL lines.',
  );
  assert.equal(report.failures, 6);
  const leftovers = opuser.lines.filter(
    (line) => line.message.command === 'PRIVMSG' && line.message.nick.startsWith('fbdoc'),
  );
  assert.deepEqual(leftovers, [], 'doctor says nothing in any channel');
});

test('a wrong SASL password without a NickServ fallback fails the login; IDENTIFY alone works', async () => {
  const wrong = await runDoctor(configFor({ sasl: { account: 'fbdoc', password: 'wrong-password' } }), {
    timeoutMs: 20_000,
    onLine: () => undefined,
  });
  const login = wrong.reports[0]?.findings.find((finding) => finding.what === 'services login');
  assert.equal(login?.verdict, 'fail');
  assert.match(login?.detail ?? '', /^SASL as fbdoc failed \(.*\) and no nickservPassword is configured$/);

  const identify = await runDoctor(configFor({ nickservPassword: PASSWORDS.fbdoc }), {
    timeoutMs: 20_000,
    onLine: () => undefined,
  });
  assert.deepEqual(
    identify.reports[0]?.findings.find((finding) => finding.what === 'services login'),
    { verdict: 'ok', what: 'services login', detail: 'NickServ IDENTIFY as fbdoc' },
  );
});
