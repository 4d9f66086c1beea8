/**
 * The ways off chat in the configuration: ntfy and e-mail on a contact, the preferences for pages and
 * reminders, the delay, the SMTP settings; each mistake named by file, line and key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTACTS, FIREBELL, load, problems } from './fixture.js';
import { describeOffChat, offChatPlan } from '../../src/core/offchat/ways.js';

const SMTP = `email:
  host: smtp.example.org
  from: firebell <firebell@example.org>
`;

const withOffChat = (extra: string): string => CONTACTS.replace('    tier: 1\n', `    tier: 1\n${extra}`);

test('a contact with ntfy (token from the environment), e-mail and preferences loads', () => {
  const contacts = withOffChat(`    email: alice@example.org
    ntfy:
      topic: alice-pages_42
      token: \${ALICE_NTFY}
    offChat:
      pages: [ntfy, email]
      reminders: [ntfy]
      afterMinutes: 5
`);
  const result = load({ contacts, firebell: FIREBELL + SMTP }, { ALICE_NTFY: 'tk_secret' });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  const alice = result.config.contacts[0]!;
  assert.deepEqual(alice.ntfy, { server: 'https://ntfy.sh', topic: 'alice-pages_42', token: 'tk_secret' });
  assert.equal(result.config.email?.port, 465);
  assert.deepEqual(offChatPlan(alice, 'page', true), { ways: ['ntfy', 'email'], delayMs: 300_000 });
  assert.deepEqual(offChatPlan(alice, 'reminder', true).ways, ['ntfy']);
  assert.equal(
    describeOffChat(alice, true),
    'Pages also by push (ntfy) and e-mail, after 5 minutes without an ack; reminders by push (ntfy)',
  );
});

test('without preferences a page takes every way the contact has, at once; e-mail only with SMTP', () => {
  const contacts = withOffChat(`    email: alice@example.org
    ntfy: { server: 'https://ntfy.example.org', topic: alice }
`);
  const result = load({ contacts });
  assert.ok(result.ok);
  const alice = result.config.contacts[0]!;
  assert.deepEqual(offChatPlan(alice, 'page', false), { ways: ['ntfy'], delayMs: 0 });
  assert.deepEqual(offChatPlan(alice, 'page', true).ways, ['ntfy', 'email']);
  assert.deepEqual(offChatPlan(alice, 'reminder', true).ways, []);
});

test('a way listed without its handle is an error at its key', () => {
  assert.deepEqual(problems({ contacts: withOffChat('    offChat:\n      pages: [ntfy]\n') }), [
    'cfg/contacts.yaml:12:15: contacts[0].offChat.pages[0]: ntfy is listed but this contact has no ntfy: add ntfy: { topic: ... }, or remove it here',
  ]);
});

test('e-mail listed without SMTP settings in firebell.yaml is an error', () => {
  const contacts = withOffChat('    email: alice@example.org\n    offChat:\n      reminders: [email]\n');
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:13:19: contacts[0].offChat.reminders[0]: email is listed but firebell.yaml has no email (SMTP) settings: add email: { host, from } there, or remove it here',
  ]);
});

test('a bad ntfy topic and an unknown way are named', () => {
  const contacts = withOffChat(`    ntfy: { topic: 'has space' }
    offChat:
      pages: [pager]
`);
  const found = problems({ contacts });
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(found[0]!, /^cfg\/contacts\.yaml:11:\d+: contacts\[0\]\.ntfy\.topic: expected an ntfy topic/);
  assert.match(found[1]!, /^cfg\/contacts\.yaml:13:\d+: contacts\[0\]\.offChat\.pages\[0\]: /);
});

test('a contact with a tier but no IRC or Matrix handle is an error: the ways off chat alone never page', () => {
  const contacts = CONTACTS.replace(
    "    irc:\n      account: alice\n    matrix: '@alice:example.org'\n",
    '',
  ).replace('    tier: 1\n', '    tier: 1\n    ntfy: { topic: alice-pages }\n');
  assert.deepEqual(problems({ contacts }), [
    'cfg/contacts.yaml:7:5: contacts[0].tier: Alice Example has a tier but no irc or matrix handle, so they would never be paged (a page starts in chat; ntfy and e-mail only follow it): add irc: { account } or matrix, or remove the tier',
  ]);
});

test('SMTP requires TLS unless allowPlaintext, which only a relay on this machine may have and check says is on', () => {
  const plain = load({ firebell: FIREBELL + SMTP });
  assert.ok(plain.ok);
  assert.equal(plain.config.email?.allowPlaintext, false, 'TLS (STARTTLS on 587) is required by default');
  assert.deepEqual(problems({ firebell: `${FIREBELL + SMTP}  allowPlaintext: true\n` }), [
    'cfg/firebell.yaml:' +
      `${FIREBELL.split('\n').length + 3}:3: email.allowPlaintext: plaintext SMTP would send ack links (bearer secrets) over the network in clear: allowPlaintext is only for a relay on this machine (host localhost, 127.0.0.1 or ::1), not smtp.example.org`,
  ]);
  const local = load({
    firebell: `${FIREBELL}email:\n  host: localhost\n  secure: false\n  from: fb@example.org\n  allowPlaintext: true\n`,
  });
  assert.ok(local.ok, JSON.stringify(!local.ok && local.problems));
  assert.equal(local.config.email?.allowPlaintext, true);
  assert.deepEqual(
    local.warnings.map((warning) => `${warning.path}: ${warning.message}`),
    [
      'email.allowPlaintext: e-mail pages, with their ack links, go to the SMTP server in clear when it offers no STARTTLS: keep it for a relay on this machine, and have the relay send them on with TLS',
    ],
  );
});

test('an email.from with a line break or control character is refused: nodemailer made its second line the sender', () => {
  // nodemailer 10 keeps the line break out of the From header, but parses the rest as addresses: the SMTP
  // envelope's sender became evil@example.org, so bounces (with the page's ack link) went there.
  const from = 'from: "firebell <firebell@example.org>\\r\\nBcc: evil@example.org"';
  const lines = problems({ firebell: FIREBELL + SMTP.replace(/from: .*/, from) });
  assert.deepEqual(
    lines.map((line) => line.replace(/, got .*$/, '')),
    [
      'cfg/firebell.yaml:22:3: email.from: must not contain a line break (CR, LF) or another control character: it is written in a mail header',
    ],
  );
});

test("a contact's e-mail address with a line break is refused", () => {
  const lines = problems({
    contacts: withOffChat('    email: "alice@example.org\\r\\nBcc: evil@example.org"\n'),
  });
  assert.equal(lines.length, 1, lines.join('\n'));
  assert.match(lines[0] ?? '', /contacts\[0\]\.email: /);
});

test('an ntfy token with a line break or a character outside visible ASCII is refused without being quoted', () => {
  // fetch refuses such an Authorization header: every page was "unreachable", retried until a stop, and
  // the attempt's reason quoted the header, token and all.
  for (const token of ['tk_secret\r\nX-Injected: yes', 'tk_secr€t', 'tk_secret with spaces']) {
    const contacts = withOffChat('    ntfy:\n      topic: alice-pages\n      token: ${ALICE_NTFY}\n');
    const lines = problems({ contacts }, { ALICE_NTFY: token });
    assert.equal(lines.length, 1, `${JSON.stringify(token)}: ${lines.join('\n')}`);
    assert.match(lines[0] ?? '', /contacts\[0\]\.ntfy\.token: expected an ntfy access token/);
    assert.ok(!lines[0]?.includes('secr'), lines[0]);
  }
});
