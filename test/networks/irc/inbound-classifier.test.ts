import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyIncoming,
  isNetsplitQuit,
  type IncomingText,
} from '../../../src/networks/irc/inbound-classifier.js';

const base: IncomingText = {
  command: 'PRIVMSG',
  text: '',
  fromServer: false,
  fromSelf: false,
  senderFolded: 'alice',
};

test('what an incoming PRIVMSG or NOTICE is', () => {
  const cases: [string, Partial<IncomingText>, ReturnType<typeof classifyIncoming>][] = [
    ['a message', { text: '!status' }, { kind: 'message', style: 'message', text: '!status' }],
    [
      'an action is an emote',
      { text: '\x01ACTION waves\x01' },
      { kind: 'message', style: 'emote', text: 'waves' },
    ],
    [
      'an action without the closing \\x01',
      { text: '\x01ACTION waves' },
      { kind: 'message', style: 'emote', text: 'waves' },
    ],
    ['an empty action', { text: '\x01ACTION\x01' }, { kind: 'message', style: 'emote', text: '' }],
    ['CTCP VERSION', { text: '\x01VERSION\x01' }, { kind: 'ctcp', type: 'VERSION' }],
    ['CTCP PING, lower case', { text: '\x01ping 123\x01' }, { kind: 'ctcp', type: 'PING' }],
    [
      'a notice is delivered as a notice',
      { command: 'NOTICE', text: '!ack 3' },
      { kind: 'message', style: 'notice', text: '!ack 3' },
    ],
    [
      'a notice from services',
      { command: 'NOTICE', text: 'You are now identified', senderFolded: 'nickserv' },
      { kind: 'ignore', why: 'notice from services' },
    ],
    ['a CTCP reply', { command: 'NOTICE', text: '\x01VERSION x\x01' }, { kind: 'ignore', why: 'CTCP reply' }],
    [
      'from the server',
      { command: 'NOTICE', text: '*** Looking up your hostname', fromServer: true },
      { kind: 'ignore', why: 'from the server' },
    ],
    ['our own echo', { text: '!status', fromSelf: true }, { kind: 'ignore', why: 'our own echo' }],
    [
      'the other instance of a pair, on one of our configured nicks while we are on another',
      { text: '<fbsoak> alice: paging you', fromTwin: true },
      { kind: 'ignore', why: 'a firebell on one of our configured nicks' },
    ],
  ];
  for (const [name, incoming, expected] of cases)
    assert.deepEqual(classifyIncoming({ ...base, ...incoming }), expected, name);
});

test('a QUIT naming two servers is a netsplit; anything else is a person leaving', () => {
  assert.equal(isNetsplitQuit('*.net *.split'), true);
  assert.equal(isNetsplitQuit('hub.oftc.net leaf.oftc.net'), true);
  assert.equal(isNetsplitQuit('gone home'), false);
  assert.equal(isNetsplitQuit('Quit: see example.org for details'), false);
  assert.equal(isNetsplitQuit('Ping timeout: 240 seconds'), false);
  assert.equal(isNetsplitQuit(undefined), false);
});
