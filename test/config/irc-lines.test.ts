/**
 * Values firebell sends inside IRC command lines (USER's realname, PASS, NickServ IDENTIFY, JOIN's keys)
 * cannot hold a line break or NUL: irc-framework writes them as they are, so "\r\n" would end the line and
 * the rest would reach the server as a command of its own. Refused at their file, line and key, and a
 * secret is never quoted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIREBELL, problems } from './fixture.js';

const withIrc = (lines: string): string =>
  FIREBELL.replace(
    'networks:\n  shell: {}\n',
    () =>
      `networks:\n  shell: {}\n  irc:\n    - id: oftc\n      host: irc.oftc.net\n      nick: firebell\n${lines}`,
  );

test('a realname or bot.admin with a line break is refused: it would inject a command after USER', () => {
  const firebell = withIrc('      realname: "firebell\\r\\nPRIVMSG #ops :owned"\n').replace(
    'admin: ops@example.org',
    'admin: "ops@example.org\\nQUIT"',
  );
  assert.deepEqual(problems({ firebell }), [
    'cfg/firebell.yaml:2:3: bot.admin: must not contain a line break (CR, LF) or NUL: it is sent in an IRC command line',
    'cfg/firebell.yaml:12:7: networks.irc[0].realname: must not contain a line break (CR, LF) or NUL: it is sent in an IRC command line',
  ]);
});

test('a password, NickServ password or channel key with a line break is refused without being quoted', () => {
  const env = { PASS: 'server-pass\r\nQUIT', NS: 'nickserv-pass\nQUIT', KEY: 'key with spaces' };
  const lines = problems(
    {
      firebell: withIrc(
        "      password: ${PASS}\n      nickservPassword: ${NS}\n      channelKeys: { '#ops': '${KEY}' }\n",
      ),
    },
    env,
  );
  assert.deepEqual(
    lines.map((line) => line.replace(/, got .*$/, '')),
    [
      'cfg/firebell.yaml:12:7: networks.irc[0].password: must not contain a line break (CR, LF) or NUL: it is sent in an IRC command line',
      'cfg/firebell.yaml:13:7: networks.irc[0].nickservPassword: must not contain a line break (CR, LF) or NUL: it is sent in an IRC command line',
      'cfg/firebell.yaml:14:22: networks.irc[0].channelKeys["#ops"]: expected a channel key without spaces, commas or line breaks',
    ],
  );
  for (const secret of ['server-pass', 'nickserv-pass', 'key with spaces'])
    assert.ok(!lines.some((line) => line.includes(secret)), secret);
});

test('a channel name with a NUL, BEL, space, comma or other control character is refused at its key', () => {
  const firebell = withIrc('      channelKeys: { "#ops\\0x": \'${KEY}\' }\n').replace(
    "channel: '#ops'",
    'channel: "#ops\\u0002red"',
  );
  const lines = problems({ firebell }, { KEY: 'channel-key' });
  assert.deepEqual(
    lines.map((line) => line.replace(/, got .*$/, '')),
    [
      'cfg/firebell.yaml:12:22: networks.irc[0].channelKeys["#ops\\u0000x"]: invalid key: expected an IRC channel name such as "#opendev"',
      'cfg/firebell.yaml:17:9: groups[0].members[0].channel: expected an IRC channel name such as "#opendev"',
    ],
  );
  for (const name of ['#a b', '#a,b', '#a\\u0007b', '#a\\rb', '#a\\u007fb']) {
    const refused = problems({ firebell: FIREBELL.replace("channel: '#ops'", `channel: "${name}"`) });
    assert.equal(refused.length, 1, `${name}: ${refused.join('\n')}`);
    assert.match(refused[0] ?? '', /groups\[0\]\.members\[0\]\.channel: expected an IRC channel name/);
  }
});

test('a username (ident) with a NUL or control character is refused: it is sent in USER', () => {
  const lines = problems({ firebell: withIrc('      username: "fire\\0bell"\n') });
  assert.deepEqual(
    lines.map((line) => line.replace(/, got .*$/, '')),
    ['cfg/firebell.yaml:12:7: networks.irc[0].username: expected an IRC username (ident)'],
  );
  const bell = problems({ firebell: withIrc('      username: "fire\\u0007bell"\n') });
  assert.equal(bell.length, 1, bell.join('\n'));
});
