import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeHtml,
  matrixToUserUrl,
  mentionedUserIds,
  renderMatrixHtml,
} from '../../../src/core/format/matrix-html.js';
import { MIRC_PALETTE } from '../../../src/core/format/mirc-colours.js';
import { bold, code, lineBreak, link, mention, rich, text } from '../../../src/core/rich-text.js';
import type { PersonRef } from '../../../src/core/messages.js';

const alice: PersonRef = { name: 'Alice', matrix: { userId: '@alice:example.org' } };
const bob: PersonRef = { name: 'Bob <b>', irc: { nick: 'bob' } };

test('text is escaped: <script> in text never becomes HTML', () => {
  const out = renderMatrixHtml(rich('<script>alert("x")</script> & \'quotes\''));
  assert.equal(out.body, '<script>alert("x")</script> & \'quotes\'');
  assert.equal(
    out.formatted_body,
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;',
  );
  assert.doesNotMatch(out.formatted_body, /<script/i);
});

test('escaping covers every field that reaches the HTML: names, labels, urls, code, languages', () => {
  const out = renderMatrixHtml([
    mention({ name: '<img src=x onerror=alert(1)>', matrix: { userId: '@evil"><script>:x.org' } }),
    link('https://example.org/?a=1&b="2"', '<b>label</b>'),
    { kind: 'code-block', text: '</code><script>x</script>', language: '"><script>' },
    code('<i>'),
  ]);
  assert.doesNotMatch(out.formatted_body, /<(script|img|i>|b>)/i);
  assert.match(out.formatted_body, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(out.formatted_body, /href="https:\/\/example\.org\/\?a=1&amp;b=&quot;2&quot;"/);
  assert.match(out.formatted_body, /<pre><code>&lt;\/code&gt;&lt;script&gt;x&lt;\/script&gt;<\/code><\/pre>/);
  assert.match(out.formatted_body, /<code>&lt;i&gt;<\/code>/);
});

test('a javascript: link is rendered as text, never as an anchor', () => {
  const out = renderMatrixHtml([link('javascript:alert(1)', 'click')]);
  assert.equal(out.formatted_body, 'click (javascript:alert(1))');
  assert.equal(renderMatrixHtml([link('JAVASCRIPT:x')]).formatted_body, 'JAVASCRIPT:x');
});

test('mentions: a pill for people with a Matrix id, plain name for others; body carries the names', () => {
  const out = renderMatrixHtml(rich('paging ', mention(alice), ' and ', mention(bob)));
  assert.equal(out.body, 'paging Alice and Bob <b>');
  assert.equal(
    out.formatted_body,
    'paging <a href="https://matrix.to/#/@alice:example.org">Alice</a> and Bob &lt;b&gt;',
  );
});

test('mentionedUserIds: exactly the mentioned people with a Matrix id, each once', () => {
  assert.deepEqual(mentionedUserIds(rich(mention(alice), ' ', mention(bob), ' ', mention(alice))), [
    '@alice:example.org',
  ]);
  assert.deepEqual(mentionedUserIds(rich('no one')), []);
});

test('styles, colours as data-mx-color, links, code blocks, line breaks', () => {
  const out = renderMatrixHtml([
    bold('Incident #12'),
    text(' red', { color: { fg: 4, bg: 1 } }),
    text(' all', { bold: true, italic: true, underline: true, strikethrough: true }),
    lineBreak,
    link('https://example.org/playbook'),
    text('\nnext'),
    { kind: 'code-block', text: 'a < b\n', language: 'sh' },
  ]);
  assert.equal(
    out.formatted_body,
    '<strong>Incident #12</strong>' +
      '<font data-mx-color="#ff0000" data-mx-bg-color="#000000"> red</font>' +
      '<del><u><em><strong> all</strong></em></u></del>' +
      '<br>' +
      '<a href="https://example.org/playbook">https://example.org/playbook</a>' +
      '<br>next' +
      '<pre><code class="language-sh">a &lt; b\n</code></pre>',
  );
  assert.equal(out.body, 'Incident #12 red all\nhttps://example.org/playbook\nnext\na < b\n\n');
});

test('palette has the 99 mIRC colours; out-of-range colours are left out', () => {
  assert.equal(MIRC_PALETTE.length, 99);
  assert.equal(MIRC_PALETTE[98], 'ffffff');
  assert.equal(renderMatrixHtml([text('x', { color: { fg: 99 } })]).formatted_body, 'x');
});

test('helpers: escapeHtml and matrix.to urls', () => {
  assert.equal(escapeHtml('<&>"\''), '&lt;&amp;&gt;&quot;&#39;');
  assert.equal(matrixToUserUrl('@a/b c:example.org'), 'https://matrix.to/#/@a%2Fb%20c:example.org');
});
