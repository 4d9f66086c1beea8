import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Directory, personRefOf } from '../../src/core/directory.js';
import { ircFold } from '../../src/core/casemapping.js';
import { contacts } from '../support/config-fixture.js';

const directory = new Directory(
  contacts,
  [
    { name: 'Ana', contactId: 'ana', irc: { account: 'ana', nick: 'ana' }, matrix: '@ana:example.org' },
    { name: 'Sol', irc: { account: 'sol[m]' } },
  ],
  new Map([
    ['libera', 'irc'],
    ['matrix', 'matrix'],
    ['shell', 'shell'],
  ] as const),
);

test('personRefOf carries every handle the networks need', () => {
  const ana = contacts[0]!;
  assert.deepEqual(personRefOf(ana), {
    name: 'Ana',
    contactId: 'ana',
    irc: { nick: 'ana', account: 'ana' },
    matrix: { userId: '@ana:example.org' },
    shell: { user: 'ana' },
  });
});

test('a contact is found by verified account only, never by nick or display name', () => {
  assert.equal(
    directory.contactOf('libera', { id: 'bo', name: 'bo', account: 'bo_account', verification: 'services' })
      ?.id,
    'bo',
  );
  assert.equal(directory.contactOf('libera', { id: 'bo', name: 'bo', verification: 'none' }), undefined);
  assert.equal(
    directory.contactOf('libera', { id: 'bo', name: 'bo', account: 'bo', verification: 'services' }),
    undefined,
    'the nick is not the account',
  );
  assert.equal(
    directory.contactOf('matrix', {
      id: '@x:evil.example',
      name: 'Ana',
      account: '@x:evil.example',
      verification: 'homeserver',
    }),
    undefined,
  );
  assert.equal(
    directory.contactOf('shell', { id: 'cy', name: 'cy', account: 'cy', verification: 'local' })?.id,
    'cy',
  );
});

test('IRC accounts compare with RFC 1459 casemapping', () => {
  assert.equal(ircFold('Sol[M]'), 'sol{m}');
  assert.equal(
    directory.isWhitelisted('libera', {
      id: 'sol',
      name: 'sol',
      account: 'SOL{M}',
      verification: 'services',
    }),
    true,
  );
  assert.equal(directory.isWhitelisted('libera', { id: 'sol', name: 'sol', verification: 'none' }), false);
});

test('a nick is trusted only as an explicit fallback, and never for a non-contact whitelist entry', () => {
  const fallback = { id: 'ana', name: 'ana', account: 'ana', verification: 'nick-fallback' } as const;
  assert.equal(directory.contactOf('libera', fallback)?.id, 'ana');
  assert.equal(directory.isWhitelisted('libera', fallback), true);
  assert.equal(directory.isWhitelisted('libera', { ...fallback, id: 'sol[m]', account: 'sol[m]' }), false);
});

test('!assign finds people by id, nick, account, Matrix id or name', () => {
  assert.equal(directory.findContact('ana')?.id, 'ana');
  assert.equal(directory.findContact('bo')?.id, 'bo');
  assert.equal(directory.findContact('bo_account')?.id, 'bo');
  assert.equal(directory.findContact('@cy:example.org')?.id, 'cy');
  assert.equal(directory.findContact('Cy')?.id, 'cy');
  assert.equal(directory.findContact('nobody'), undefined);
});
