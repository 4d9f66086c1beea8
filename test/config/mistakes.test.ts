/**
 * Each kind of configuration mistake, and the exact message it gets: file, line, column, key path, what
 * was expected and what was found.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACTS, DIR, FIREBELL, WHITELIST, load, memoryReader, problems } from './fixture.js';
import { formatProblem, loadConfig } from '../../src/config/load.js';

test('YAML syntax errors give file, line, column and the parser reason', () => {
  const contacts = `contacts:
  - id: alice
    name: Alice Example
     timezone: Europe/Berlin
`;
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:4:14: invalid YAML: bad indentation of a mapping entry',
  ]);
});

test('a duplicate key in a mapping is an error pointing at both lines', () => {
  const contacts = `contacts:
  - id: alice
    name: Alice Example
    timezone: Europe/Berlin
    hours:
      mon-fri: '09:00-17:00'
    tier: 1
    timezone: Europe/Paris
    irc: { account: alice }
`;
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:8:5: contacts[0].timezone: duplicate key "timezone" (first defined on line 4)',
  ]);
});

test('an unknown key is an error, with the key it was probably meant to be', () => {
  const firebell = FIREBELL.replace('          afterMinutes: 5', '          afterMinute: 5');
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:18:11: escalation.policies.default.tiers[0].afterMinutes: required key is missing',
    'cfg/firebell.yaml:19:11: escalation.policies.default.tiers[0].afterMinute: unknown key "afterMinute" (did you mean "afterMinutes"?)',
  ]);
});

test('an unknown key far from any allowed one lists the allowed keys', () => {
  const firebell = FIREBELL.replace('store:\n', 'store:\n  flavour: sqlite\n');
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:5:3: store.flavour: unknown key "flavour" (allowed: kind, path, url, leaseSeconds)',
  ]);
});

test('a missing key points at the line of the mapping it is missing from', () => {
  const firebell = FIREBELL.replace('  playbookUrl: https://example.org/playbook\n', '');
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:1:1: bot.playbookUrl: required key is missing',
  ]);
});

test('a bad timezone says what was expected and quotes what was found', () => {
  const contacts = CONTACTS.replace('Europe/Berlin', 'Mars/Olympus');
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:7:5: contacts[0].timezone: expected an IANA timezone such as "Europe/Berlin", got "Mars/Olympus"',
  ]);
});

test('bad working hours: an unknown day and an impossible time range', () => {
  const contacts = `contacts:
  - id: alice
    name: Alice Example
    timezone: Europe/Berlin
    hours:
      mon-fir: '09:00-17:00'
      sat: ['10:00-12:00', '22:00-25:00']
      sun: 9
`;
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:6:7: contacts[0].hours.mon-fir: "mon-fir" is not a day: expected mon..sun, a range such as mon-fri, weekdays, weekends or daily',
    'cfg/contacts.yaml:7:28: contacts[0].hours.sat[1]: "22:00-25:00" is not a time range: expected "HH:MM-HH:MM" such as "09:00-17:30" (24-hour clock)',
    'cfg/contacts.yaml:8:7: contacts[0].hours.sun: expected a time range such as "09:00-17:30", or a list of them, got 9',
  ]);
});

test('duplicate contact ids, IRC accounts (case-insensitively) and Matrix ids', () => {
  const contacts = `contacts:
  - id: alice
    name: Alice Example
    irc:
      account: alice
    matrix: '@alice:example.org'
    timezone: Europe/Berlin
    hours:
      mon-fri: '09:00-17:00'
    tier: 1
  - id: alice
    name: Alice Again
    irc:
      account: Alice
    matrix: '@alice:example.org'
    timezone: Europe/Berlin
    hours:
      daily: '10:00-11:00'
`;
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:11:5: contacts[1].id: duplicate contact id "alice" (first used by contacts[0] on line 2)',
    'cfg/contacts.yaml:14:7: contacts[1].irc.account: duplicate IRC account "Alice" (first used by contacts[0] on line 5)',
    'cfg/contacts.yaml:15:5: contacts[1].matrix: duplicate Matrix id "@alice:example.org" (first used by contacts[0] on line 6)',
  ]);
});

test('a missing environment variable and an unreadable secret file name the variable and the file', () => {
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  matrix:
    - id: matrix
      homeserver: https://matrix.example.org
      userId: '@firebell:example.org'
      accessToken: \${MATRIX_TOKEN}
      password: \${file:secrets/matrix-password}
`,
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:12:7: networks.matrix[0].accessToken: environment variable MATRIX_TOKEN is not set',
    'cfg/firebell.yaml:13:7: networks.matrix[0].password: cannot read secret file "cfg/secrets/matrix-password" (no such file)',
  ]);
});

test('a malformed reference and an unclosed one say how to write a literal "${"', () => {
  const firebell = FIREBELL.replace('admin: ops@example.org', "admin: '${ops team} ${oops'");
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:2:3: bot.admin: "${ops team}" is not a reference: expected ${NAME} (letters, digits and "_") or ${file:/path}; write $${ for a literal "${"',
    'cfg/firebell.yaml:2:3: bot.admin: "${" is not closed by "}"; write $${ for a literal "${"',
  ]);
});

test('a whitelist entry that is a bare nick, or an irc entry without account, is refused: a nick is not an identity', () => {
  const whitelist = `whitelist:
  - ttx
  - name: Thierry
    irc:
      nick: ttx
`;
  assert.deepEqual(problems({ whitelist }), [
    'whitelist.yaml:2:5: whitelist[0]: "ttx" is a bare nick, but a nick is not an identity (anyone can take a nick): give the services account, as in { name: ttx, irc: { account: ttx } }, or refer to a contact, as in { contact: ttx }',
    'whitelist.yaml:4:5: whitelist[1].irc: irc has no account, but a nick is not an identity (anyone can take a nick): give the services account, as in irc: { account: ttx }',
  ]);
});

test('whitelist entries must refer to existing contacts and identify someone', () => {
  const whitelist = `whitelist:
  - contact: alcie
  - name: Nobody In Particular
  - contact: alice
    name: Alice
`;
  assert.deepEqual(problems({ whitelist }), [
    'whitelist.yaml:2:5: whitelist[0].contact: unknown contact "alcie" (did you mean "alice"?)',
    'whitelist.yaml:3:5: whitelist[1]: give irc.account (a services account) and/or matrix (a user id): a name alone identifies nobody',
    'whitelist.yaml:4:5: whitelist[2]: a contact entry takes the handles from contacts.yaml: remove name, or drop contact',
  ]);
});

test('a group member on an unknown network', () => {
  const firebell = FIREBELL.replace('      - network: shell', '      - network: oftc');
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:11:9: groups[0].members[0].network: unknown network "oftc" (known: shell)',
  ]);
});

test('channel on a Matrix network and room on an IRC network are the wrong kind', () => {
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  irc:
    - id: oftc
      host: irc.oftc.net
      nick: firebell
  matrix:
    - id: matrix
      homeserver: https://matrix.example.org
      userId: '@firebell:example.org'
      accessToken: \${MATRIX_TOKEN}
`,
  ).replace(
    "        channel: '#ops'\n",
    `        channel: '#ops'
      - network: oftc
        room: '#ops:example.org'
      - network: matrix
        channel: '#ops'
`,
  );
  assert.deepEqual(problems({ firebell }, { MATRIX_TOKEN: 'secret-token' }), [
    'cfg/firebell.yaml:23:9: groups[0].members[1].room: network "oftc" is an IRC network: give channel (such as "#opendev"), not room',
    'cfg/firebell.yaml:25:9: groups[0].members[2].channel: network "matrix" is a Matrix network: give room (such as "#opendev:example.org"), not channel',
  ]);
});

test('a channel in two groups', () => {
  const firebell = FIREBELL.replace(
    'escalation:',
    `  - id: dev
    members:
      - network: shell
        channel: '#OPS'
escalation:`,
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:15:9: groups[1].members[0]: #OPS on network "shell" is already in group "ops" (groups[0].members[0] on line 11): a channel or room belongs to one group',
  ]);
});

test('a group or the default naming an unknown policy', () => {
  const firebell = FIREBELL.replace('  - id: ops\n', '  - id: ops\n    policy: defualt\n').replace(
    'defaultPolicy: default',
    'defaultPolicy: night',
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:10:5: groups[0].policy: unknown escalation policy "defualt" (did you mean "default"?)',
    'cfg/firebell.yaml:15:3: escalation.defaultPolicy: unknown escalation policy "night" (known: default)',
  ]);
});

test('tiers within a policy must be unique and ascending', () => {
  const firebell = FIREBELL.replace(
    '        - tier: 1\n          afterMinutes: 5\n',
    `        - tier: 2
          afterMinutes: 5
        - tier: 1
          afterMinutes: 5
        - tier: 1
          afterMinutes: 5
`,
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:20:11: escalation.policies.default.tiers[1].tier: tier 1 comes after tier 2: list each tier once, in ascending order',
    'cfg/firebell.yaml:22:11: escalation.policies.default.tiers[2].tier: tier 1 is listed twice: list each tier once, in ascending order',
  ]);
});

test('a contact whose tier is in no policy would never be paged', () => {
  const contacts = CONTACTS.replace('    tier: 1\n', '    tier: 3\n');
  const result = problems({ contacts });
  assert.deepEqual(result, [
    'cfg/contacts.yaml:10:5: contacts[0].tier: tier 3 is in no escalation policy (the policies page tier 1), so Alice Example would never be paged',
  ]);
});

test("contacts' roles must be defined or built in", () => {
  const contacts = CONTACTS.replace(
    '    tier: 1\n',
    '    tier: 1\n    roles: [incident-commander, communications, scribe, incident-comander]\n',
  );
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:11:49: contacts[0].roles[2]: unknown role "scribe" (known: incident-commander, communications)',
    'cfg/contacts.yaml:11:57: contacts[0].roles[3]: unknown role "incident-comander" (did you mean "incident-commander"?)',
  ]);
});

test('network ids are unique across kinds and "shell" is reserved', () => {
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  irc:
    - id: shell
      host: irc.example.org
      nick: firebell
    - id: chat
      host: irc.example.org
      nick: firebell
  matrix:
    - id: chat
      homeserver: https://matrix.example.org
      userId: '@firebell:example.org'
      accessToken: \${MATRIX_TOKEN}
`,
  );
  assert.deepEqual(problems({ firebell }, { MATRIX_TOKEN: 'secret-token' }), [
    'cfg/firebell.yaml:9:7: networks.irc[0].id: network id "shell" is reserved for the shell network',
    'cfg/firebell.yaml:16:7: networks.matrix[0].id: duplicate network id "chat" (first used by networks.irc[1] on line 12)',
    'cfg/contacts.yaml:5:7: contacts[0].irc.account: with 2 IRC networks (shell, chat), say which one this account is on, as in accounts: { shell: alice }: services accounts belong to one network, and the same name on another may be someone else, who would pass as this person there',
  ]);
});

test('statusbot.externalBots must name IRC networks', () => {
  const firebell = `${FIREBELL}statusbot:
  mode: external
  externalBots:
    - network: shell
      nick: opendevstatus
    - network: oftc
      nick: opendevstatus
`;
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:23:7: statusbot.externalBots[0].network: "shell" is the shell network: externalBots must name IRC networks',
    'cfg/firebell.yaml:25:7: statusbot.externalBots[1].network: unknown IRC network "oftc" (none are defined)',
  ]);
});

test('values of the wrong type and out of range say what was expected and what was found', () => {
  const firebell = FIREBELL.replace('          afterMinutes: 5', '          afterMinutes: five')
    .replace('  shell: {}', '  shell:\n    enabled: yes')
    .concat('incidents:\n  permissions:\n    ack: everybody\n  dedupeWindowMinutes: 0\n');
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:8:5: networks.shell.enabled: expected true or false, got "yes"',
    'cfg/firebell.yaml:20:11: escalation.policies.default.tiers[0].afterMinutes: expected a number, got "five"',
    'cfg/firebell.yaml:23:5: incidents.permissions.ack: expected one of "anyone", "verified", "contacts", "whitelist", got "everybody"',
    'cfg/firebell.yaml:24:3: incidents.dedupeWindowMinutes: expected a number of minutes greater than 0, got 0',
  ]);
});

test('a file that does not exist is named, and the other files are still checked', () => {
  const firebell = FIREBELL.concat('files:\n  contacts: people.yaml\n');
  const whitelist = 'whitelist:\n  - bob\n';
  assert.deepEqual(problems({ firebell, whitelist }), [
    // Reported where the mistake is: the key that named the file (issue 13, item 13).
    'cfg/firebell.yaml:21:3: files.contacts: "people.yaml" (cfg/people.yaml): cannot read the file: it does not exist',
    'whitelist.yaml:2:5: whitelist[0]: "bob" is a bare nick, but a nick is not an identity (anyone can take a nick): give the services account, as in { name: bob, irc: { account: bob } }, or refer to a contact, as in { contact: bob }',
  ]);
});

test('an empty file and a file with two documents', () => {
  assert.deepEqual(problems({ contacts: '', whitelist: 'whitelist: []\n---\nwhitelist: []\n' }), [
    'cfg/contacts.yaml: the file is empty: expected a mapping',
    'whitelist.yaml: expected one YAML document, found 2 (remove the "---" separators)',
  ]);
});

test('a bad key in a map names the key, and limits are stated', () => {
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  irc:
    - id: oftc
      host: irc.oftc.net
      nick: firebell
      channelKeys: { ops: '\${KEY}' }
      pacing: { burst: 0, linesPerSecond: 30 }
`,
  ).replace("    members:\n      - network: shell\n        channel: '#ops'\n", '    members: []\n');
  assert.deepEqual(problems({ firebell }, { KEY: 'channel-key-secret' }), [
    'cfg/firebell.yaml:12:22: networks.irc[0].channelKeys.ops: invalid key: expected an IRC channel name such as "#opendev", got "ops"',
    'cfg/firebell.yaml:13:17: networks.irc[0].pacing.burst: expected a number of at least 1, got 0',
    'cfg/firebell.yaml:13:27: networks.irc[0].pacing.linesPerSecond: expected a number of at most 20, got 30',
    'cfg/firebell.yaml:16:5: groups[0].members: a group needs at least one channel or room',
  ]);
});

test('a pacing so slow that pages would wait for hours is refused', () => {
  const firebell = FIREBELL.replace(
    'networks:\n  shell: {}\n',
    `networks:
  shell: {}
  irc:
    - id: oftc
      host: irc.oftc.net
      nick: firebell
      pacing: { linesPerSecond: 0.0001 }
`,
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:12:17: networks.irc[0].pacing.linesPerSecond: expected at least 0.1 lines per second (one every 10 s): slower, a page queued behind a few lines waits minutes, got 0.0001',
  ]);
});

test('a listener port out of range is refused by check, not found when the site fails to start', () => {
  const firebell = `${FIREBELL}http:
  listen: '127.0.0.1:80800'
`;
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:21:3: http.listen: expected host:port with a port from 0 to 65535, such as "127.0.0.1:8080", got "127.0.0.1:80800"',
  ]);
});

test('a bridge ignore pattern that is not a regular expression is an error, not a silent loop', () => {
  const firebell = `${FIREBELL}bridge:
  ignoreIrcNicks: ['oftc_[']
`;
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:21:20: bridge.ignoreIrcNicks[0]: expected a regular expression (JavaScript syntax), such as "^oftc_.*$", got "oftc_["',
  ]);
});

test('a public URL without a listener is a warning: the long-message links would lead nowhere', () => {
  const firebell = FIREBELL.replace(
    '  playbookUrl: https://example.org/playbook\n',
    '  playbookUrl: https://example.org/playbook\n  publicUrl: https://firebell.example.org\n',
  );
  const result = loadConfig({
    dir: DIR,
    env: {},
    readFile: memoryReader({
      [`${DIR}/firebell.yaml`]: firebell,
      [`${DIR}/contacts.yaml`]: CONTACTS,
      'whitelist.yaml': WHITELIST,
    }),
  });
  assert.ok(result.ok);
  assert.deepEqual(
    result.warnings.map((warning) => formatProblem(warning)),
    [
      'cfg/firebell.yaml:4:3: bot.publicUrl: bot.publicUrl is set but bot.httpListen is not: nothing serves the links to long relayed messages',
    ],
  );
});

test('the shutdown grace: a number of seconds up to 300; one a container manager would cut short is a warning', () => {
  const withGrace = (grace: string): string =>
    FIREBELL.replace(
      '  playbookUrl: https://example.org/playbook\n',
      `  playbookUrl: https://example.org/playbook\n  shutdownGraceSeconds: ${grace}\n`,
    );
  assert.deepEqual(problems({ firebell: withGrace('-1') }), [
    'cfg/firebell.yaml:4:3: bot.shutdownGraceSeconds: expected 0 or more seconds, got -1',
  ]);
  assert.deepEqual(problems({ firebell: withGrace('600') }), [
    'cfg/firebell.yaml:4:3: bot.shutdownGraceSeconds: expected at most 300 seconds (a stop must not hang for long), got 600',
  ]);
  assert.deepEqual(problems({ firebell: withGrace('soon') }), [
    'cfg/firebell.yaml:4:3: bot.shutdownGraceSeconds: expected a number, got "soon"',
  ]);
  const load = (grace: string) =>
    loadConfig({
      dir: DIR,
      env: {},
      readFile: memoryReader({
        [`${DIR}/firebell.yaml`]: withGrace(grace),
        [`${DIR}/contacts.yaml`]: CONTACTS,
        'whitelist.yaml': WHITELIST,
      }),
    });
  const warned = load('30');
  assert.ok(warned.ok);
  assert.deepEqual(
    warned.warnings.map((warning) => formatProblem(warning)),
    [
      "cfg/firebell.yaml:4:3: bot.shutdownGraceSeconds: a stop takes up to 30 s plus about 2 s for the networks' goodbyes: give your container manager at least that before it sends SIGKILL (Docker and Podman wait 10 s by default: `stop_grace_period`, `--time`); what is not sent is kept for the next start either way",
    ],
  );
  const quiet = load('5');
  assert.ok(quiet.ok);
  assert.deepEqual(quiet.warnings, []);
  assert.equal(quiet.config.bot.shutdownGraceSeconds, 5);
  // One mistake, one message: the value refused is not also warned about.
  const refused = load('600');
  assert.ok(!refused.ok);
  assert.deepEqual(refused.warnings, []);
});

test('matrixThreads is a boolean, checked like every key (firebell check says where)', () => {
  const firebell = FIREBELL.replace(
    "        channel: '#ops'\n",
    "        channel: '#ops'\n    matrixThreads: sometimes\n",
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:13:5: groups[0].matrixThreads: expected true or false, got "sometimes"',
  ]);
  const off = load({ firebell: firebell.replace('sometimes', 'false') });
  assert.equal(off.ok && off.config.groups[0]?.matrixThreads, false);
});
