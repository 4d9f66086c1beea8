/** PRIVMSG and NOTICE from others as the core's inbound messages, on fakes of the connection's parts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IrcMessage } from 'irc-framework';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../../src/core/logger.js';
import type { InboundMessage } from '../../../src/core/messages.js';
import { IncomingMessages } from '../../../src/networks/irc/incoming-messages.js';
import type { FrameworkConnection } from '../../../src/networks/irc/irc-framework-adapter.js';
import { IrcSession } from '../../../src/networks/irc/irc-session.js';

function setup() {
  const supports: Record<string, string> = { CHANTYPES: '#', STATUSMSG: '@+' };
  const connection = {
    connected: true,
    supports: (key: string) => supports[key],
    capEnabled: (cap: string) => cap === 'account-tag',
    capOffered: () => true,
  } as unknown as FrameworkConnection;
  const session = new IrcSession();
  session.reset(connection, 'firebell');
  const received: InboundMessage[] = [];
  const incoming = new IncomingMessages(
    {
      networkId: 'libera',
      configuredNicks: ['firebell'],
      trustNicksWithoutServices: false,
      adminContact: 'ops',
    },
    session,
    {
      channels: { configuredName: (channel: string) => channel },
      accounts: {},
      login: { nickServOnline: true },
    } as unknown as ConstructorParameters<typeof IncomingMessages>[2],
    new SimulatedClock(),
    silentLogger,
    { message: (message) => received.push(message), stopped: () => false, reply: () => undefined },
  );
  const privmsg = (target: string, text: string): void => {
    const message = { command: 'PRIVMSG', params: [target, text], nick: 'alice', tags: { account: 'alice' } };
    incoming.handlers().PRIVMSG?.(message as unknown as IrcMessage, { connection, fromSelf: false });
  };
  return { received, privmsg };
}

test('a message to the operators of a channel (STATUSMSG, @#chan) is that channel, said to part of it', () => {
  const { received, privmsg } = setup();
  privmsg('#ops', 'for everyone');
  privmsg('@#ops', 'for the operators only');
  assert.deepEqual(
    received.map((message) => [message.conversation.id, message.text, message.restricted === true]),
    [
      ['#ops', 'for everyone', false],
      ['#ops', 'for the operators only', true],
    ],
  );
});
