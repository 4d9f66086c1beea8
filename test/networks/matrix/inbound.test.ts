import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpret, stripReplyFallback } from '../../../src/networks/matrix/inbound.js';
import type { RawEvent } from '../../../src/networks/matrix/sync-client.js';

const event = (type: string, content: Record<string, unknown>): RawEvent => ({
  event_id: '$e',
  type,
  sender: '@alice:x.org',
  origin_server_ts: 1,
  content,
});

test('message styles: m.text, m.notice and m.emote; other msgtypes and redacted messages mean nothing', () => {
  assert.deepEqual(interpret(event('m.room.message', { msgtype: 'm.text', body: '!ack' })), {
    kind: 'message',
    text: '!ack',
    style: 'message',
  });
  assert.equal(
    (interpret(event('m.room.message', { msgtype: 'm.notice', body: 'n' })) as { style: string }).style,
    'notice',
  );
  assert.equal(
    (interpret(event('m.room.message', { msgtype: 'm.emote', body: 'e' })) as { style: string }).style,
    'emote',
  );
  assert.equal(interpret(event('m.room.message', { msgtype: 'm.image', body: 'cat.png' })), undefined);
  assert.equal(interpret(event('m.room.message', {})), undefined);
  assert.equal(interpret(event('m.room.topic', { topic: 't' })), undefined);
});

test('an edit carries the new content and the edited event id', () => {
  const edit = event('m.room.message', {
    msgtype: 'm.text',
    body: '* !resolved',
    'm.new_content': { msgtype: 'm.text', body: '!resolved' },
    'm.relates_to': { rel_type: 'm.replace', event_id: '$orig' },
  });
  assert.deepEqual(interpret(edit), {
    kind: 'message',
    text: '!resolved',
    style: 'message',
    editOf: '$orig',
  });
  const broken = event('m.room.message', {
    msgtype: 'm.text',
    body: '* x',
    'm.relates_to': { rel_type: 'm.replace', event_id: '$o' },
  });
  assert.equal(interpret(broken), undefined, 'an edit without m.new_content is ignored');
});

test('a reply carries its target, with the old fallback quote stripped', () => {
  const reply = event('m.room.message', {
    msgtype: 'm.text',
    body: '> <@bob:x.org> is it down?\n> still?\n\n!ack',
    'm.relates_to': { 'm.in_reply_to': { event_id: '$q' } },
  });
  assert.deepEqual(interpret(reply), { kind: 'message', text: '!ack', style: 'message', replyTo: '$q' });
  const relayed = { ...reply, content: { ...reply.content, 'org.firebell.relayed': true } };
  const seen = interpret(relayed);
  assert.equal(seen?.kind === 'message' && seen.relayed, true, 'the relay marker is seen');
  const quoteNoReply = event('m.room.message', { msgtype: 'm.text', body: '> quoted\n\ntext' });
  assert.equal(
    (interpret(quoteNoReply) as { text: string }).text,
    '> quoted\n\ntext',
    'only replies are stripped',
  );
});

test('stripReplyFallback leaves bodies without a fallback alone', () => {
  assert.equal(stripReplyFallback('plain'), 'plain');
  assert.equal(stripReplyFallback('> a\nb'), 'b');
  assert.equal(stripReplyFallback('> a'), '');
});

test('reactions: annotations only', () => {
  const reaction = event('m.reaction', {
    'm.relates_to': { rel_type: 'm.annotation', event_id: '$m', key: '✅' },
  });
  assert.deepEqual(interpret(reaction), { kind: 'reaction', target: '$m', key: '✅' });
  assert.equal(
    interpret(event('m.reaction', { 'm.relates_to': { rel_type: 'm.reference', event_id: '$m' } })),
    undefined,
  );
});

test('membership: joins, leaves and kicks are changes; a profile change (join to join) is not', () => {
  const member = (sender: string, target: string, membership: string, before?: string, reason?: string) => ({
    event_id: '$m',
    type: 'm.room.member',
    sender,
    origin_server_ts: 0,
    state_key: target,
    content: { membership, ...(reason ? { reason } : {}) },
    ...(before ? { unsigned: { prev_content: { membership: before } } } : {}),
  });
  assert.deepEqual(interpret(member('@d:x', '@d:x', 'join')), {
    kind: 'membership',
    user: '@d:x',
    change: 'join',
  });
  assert.deepEqual(interpret(member('@d:x', '@d:x', 'leave', 'join', 'lunch')), {
    kind: 'membership',
    user: '@d:x',
    change: 'part',
    reason: 'lunch',
  });
  assert.deepEqual(interpret(member('@a:x', '@d:x', 'ban', 'join', 'spam')), {
    kind: 'membership',
    user: '@d:x',
    change: 'kick',
    reason: 'spam',
  });
  assert.equal(
    interpret(member('@d:x', '@d:x', 'join', 'join')),
    undefined,
    'a new display name is not a join',
  );
  assert.equal(interpret(member('@a:x', '@d:x', 'invite')), undefined);
});

test('a message in a thread names its root; the thread fallback is no reply, a reply inside the thread is one', () => {
  const inThread = (isFallingBack: boolean | undefined) =>
    interpret(
      event('m.room.message', {
        msgtype: 'm.text',
        body: '!ack',
        'm.relates_to': {
          rel_type: 'm.thread',
          event_id: '$root',
          'm.in_reply_to': { event_id: '$latest' },
          ...(isFallingBack === undefined ? {} : { is_falling_back: isFallingBack }),
        },
      }),
    );
  assert.deepEqual(inThread(true), { kind: 'message', text: '!ack', style: 'message', threadRoot: '$root' });
  assert.deepEqual(inThread(false), {
    kind: 'message',
    text: '!ack',
    style: 'message',
    replyTo: '$latest',
    threadRoot: '$root',
  });
  assert.deepEqual(inThread(undefined), {
    kind: 'message',
    text: '!ack',
    style: 'message',
    replyTo: '$latest',
    threadRoot: '$root',
  });
});
