import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editContent, messageContent, plainNotice } from '../../../src/networks/matrix/content.js';
import { bold, mention, rich } from '../../../src/core/rich-text.js';

test('bot output is an m.notice with HTML and plain bodies and an empty m.mentions', () => {
  assert.deepEqual(messageContent({ body: rich(bold('#3'), ' <declared>'), style: 'notice' }), {
    msgtype: 'm.notice',
    body: '#3 <declared>',
    format: 'org.matrix.custom.html',
    formatted_body: '<strong>#3</strong> &lt;declared&gt;',
    'm.mentions': {},
  });
  assert.equal(messageContent({ body: rich('waves'), style: 'emote' }).msgtype, 'm.emote');
});

test('relayed chat is an m.text marked as relayed, so no firebell relays it again', () => {
  const content = messageContent({ body: rich('<alice> hi'), style: 'message', relayed: true });
  assert.equal(content.msgtype, 'm.text');
  assert.equal(content['org.firebell.relayed'], true);
  assert.equal(messageContent({ body: rich('x'), style: 'notice' })['org.firebell.relayed'], undefined);
});

test('mentions set m.mentions.user_ids; a reply is a bare m.in_reply_to relation', () => {
  const content = messageContent({
    body: rich(
      mention({ name: 'A', matrix: { userId: '@a:x' } }),
      ' ',
      mention({ name: 'B', irc: { nick: 'b' } }),
    ),
    style: 'notice',
    replyTo: '$cmd',
  });
  assert.deepEqual(content['m.mentions'], { user_ids: ['@a:x'] });
  assert.deepEqual(content['m.relates_to'], { 'm.in_reply_to': { event_id: '$cmd' } });
  assert.equal(content.body, 'A B', 'no fallback quote is prepended');
});

test('plain notices ping nobody', () => {
  assert.deepEqual(plainNotice('hi'), { msgtype: 'm.notice', body: 'hi', 'm.mentions': {} });
});

test('in a thread: m.thread to the root with the reply fallback; a reply inside the thread is a real one', () => {
  const notice = { body: rich('Incident #3 acknowledged'), style: 'notice' as const, threadRoot: '$root' };
  assert.deepEqual(messageContent({ ...notice, threadLatest: '$page' })['m.relates_to'], {
    rel_type: 'm.thread',
    event_id: '$root',
    is_falling_back: true,
    'm.in_reply_to': { event_id: '$page' },
  });
  assert.deepEqual(messageContent({ ...notice, threadLatest: '$page', replyTo: '$ask' })['m.relates_to'], {
    rel_type: 'm.thread',
    event_id: '$root',
    is_falling_back: false,
    'm.in_reply_to': { event_id: '$ask' },
  });
});

test('an edit: m.replace, the whole new content in m.new_content, a "* " fallback body, nobody pinged', () => {
  assert.deepEqual(editContent('$root', rich('Incident ', bold('#3'), ' — acknowledged by Ana')), {
    msgtype: 'm.notice',
    body: '* Incident #3 — acknowledged by Ana',
    format: 'org.matrix.custom.html',
    formatted_body: '* Incident <strong>#3</strong> — acknowledged by Ana',
    'm.mentions': {},
    'm.new_content': {
      msgtype: 'm.notice',
      body: 'Incident #3 — acknowledged by Ana',
      format: 'org.matrix.custom.html',
      formatted_body: 'Incident <strong>#3</strong> — acknowledged by Ana',
      'm.mentions': {},
    },
    'm.relates_to': { rel_type: 'm.replace', event_id: '$root' },
  });
});
