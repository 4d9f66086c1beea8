/** The session writes only while it may: an instance that lost its lease puts nothing more on the wire. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IrcSession } from '../../../src/networks/irc/irc-session.js';
import type { FrameworkConnection } from '../../../src/networks/irc/irc-framework-adapter.js';

test('a line is written only while the gate allows it', () => {
  const written: string[] = [];
  const connection = {
    connected: true,
    write: (line: string) => {
      written.push(line);
      return true;
    },
  } as unknown as FrameworkConnection;
  let allowed = true;
  const session = new IrcSession(() => allowed);
  session.reset(connection, 'firebell');
  assert.equal(session.write('PRIVMSG #infra :one'), true);
  allowed = false;
  assert.equal(session.write('PRIVMSG #infra :two'), false, 'held back, as if no connection were open');
  assert.deepEqual(written, ['PRIVMSG #infra :one']);
  const ungated = new IrcSession();
  ungated.reset(connection, 'firebell');
  assert.equal(ungated.write('PRIVMSG #infra :three'), true);
});
