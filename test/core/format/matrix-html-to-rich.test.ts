import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeEntities,
  matrixHtmlToRich,
  nearestMircColour,
} from '../../../src/core/format/matrix-html-to-rich.js';
import type { RichText, Segment } from '../../../src/core/rich-text.js';

const t = (value: string, style?: Extract<Segment, { kind: 'text' }>['style']): Segment =>
  style ? { kind: 'text', text: value, style } : { kind: 'text', text: value };
const br: Segment = { kind: 'line-break' };

const cases: readonly (readonly [string, string, RichText])[] = [
  ['plain text', 'hello world', [t('hello world')]],
  [
    'bold and strong',
    '<b>a</b> <strong>b</strong>',
    [t('a', { bold: true }), t(' '), t('b', { bold: true })],
  ],
  ['italic and em', '<i>a</i><em>b</em>', [t('ab', { italic: true })]],
  ['underline', '<u>a</u>', [t('a', { underline: true })]],
  ['del, s and strike', '<del>a</del><s>b</s><strike>c</strike>', [t('abc', { strikethrough: true })]],
  ['inline code', 'run <code>make test</code>', [t('run '), t('make test', { monospace: true })]],
  [
    'nested styles',
    '<b>bold <i>both</i></b>',
    [t('bold ', { bold: true }), t('both', { bold: true, italic: true })],
  ],
  [
    'code block with its language',
    '<pre><code class="language-python">if x:\n    y()\n</code></pre>',
    [{ kind: 'code-block', text: 'if x:\n    y()', language: 'python' }],
  ],
  [
    'code block keeps markup-looking text as text',
    '<pre><code>&lt;b&gt;x&lt;/b&gt;\n<b>y</b></code></pre>',
    [{ kind: 'code-block', text: '<b>x</b>\ny' }],
  ],
  [
    'a code block between paragraphs',
    '<p>before</p><pre><code>x</code></pre><p>after</p>',
    [t('before'), { kind: 'code-block', text: 'x' }, t('after')],
  ],
  [
    'link with a label',
    '<a href="https://example.org/x?a=1&amp;b=2">the docs</a>',
    [{ kind: 'link', url: 'https://example.org/x?a=1&b=2', label: 'the docs' }],
  ],
  [
    'link whose label is its URL',
    '<a href="https://example.org">https://example.org</a>',
    [{ kind: 'link', url: 'https://example.org' }],
  ],
  [
    'matrix.to user link → mention',
    '<a href="https://matrix.to/#/@ana:example.org">Ana</a>: hi',
    [{ kind: 'mention', person: { name: 'Ana', matrix: { userId: '@ana:example.org' } } }, t(': hi')],
  ],
  [
    'percent-encoded matrix.to user link → mention',
    '<a href="https://matrix.to/#/%40ana%3Aexample.org?via=example.org">Ana</a>',
    [{ kind: 'mention', person: { name: 'Ana', matrix: { userId: '@ana:example.org' } } }],
  ],
  [
    'matrix: URI user link → mention',
    '<a href="matrix:u/ana:example.org?action=chat">Ana</a>',
    [{ kind: 'mention', person: { name: 'Ana', matrix: { userId: '@ana:example.org' } } }],
  ],
  [
    'matrix.to room link stays a link',
    '<a href="https://matrix.to/#/#infra:example.org">#infra</a>',
    [{ kind: 'link', url: 'https://matrix.to/#/#infra:example.org', label: '#infra' }],
  ],
  ['br', 'a<br>b<br/>c', [t('a'), br, t('b'), br, t('c')]],
  ['paragraphs', '<p>one</p>\n<p>two</p>', [t('one'), br, t('two')]],
  ['divs', '<div>one</div><div>two</div>', [t('one'), br, t('two')]],
  [
    'lists',
    '<ul><li>a</li><li>b<ol start="7"><li>c</li></ol></li></ul>',
    [t('• a'), br, t('• b'), br, t('  7. c')],
  ],
  [
    'blockquote',
    '<blockquote><p>it broke</p><p>twice</p></blockquote><p>ok</p>',
    [t('> it broke'), br, t('> twice'), br, t('ok')],
  ],
  ['colour by data-mx-color', '<font data-mx-color="#ff0000">red</font>', [t('red', { color: { fg: 4 } })]],
  [
    'colour and background on a span',
    '<span data-mx-color="#000000" data-mx-bg-color="#ffff00">x</span>',
    [t('x', { color: { fg: 1, bg: 8 } })],
  ],
  ['legacy font color', '<font color="#00fc00">g</font>', [t('g', { color: { fg: 9 } })]],
  [
    'mx-reply is dropped',
    '<mx-reply><blockquote>In reply to <a href="https://matrix.to/#/@b:x.org">b</a><br>q</blockquote></mx-reply>answer',
    [t('answer')],
  ],
  ['headings are bold lines', '<h1>Title</h1>text', [t('Title', { bold: true }), br, t('text')]],
  [
    'unknown tags reduce to their text',
    '<details><summary>more</summary><custom-el>inner</custom-el></details>',
    [t('more'), br, t('inner')],
  ],
  ['images become their alt text', 'look <img src="mxc://x/y" alt=":blobcat:">', [t('look :blobcat:')]],
  ['HTML whitespace collapses', '  a \n\t b  ', [t('a b')]],
  [
    'entities are decoded',
    '&lt;tag&gt; &amp; &quot;q&quot; &#39;s &#x1F600; &hellip;',
    [t('<tag> & "q" \'s 😀 …')],
  ],
  ['a lone < is text', 'a < b and c<d', [t('a < b and c<d')]],
  ['comments and doctype vanish', '<!DOCTYPE html><!-- hidden -->shown', [t('shown')]],
];

const malicious: readonly (readonly [string, string, RichText])[] = [
  ['script content is dropped', '<script>alert("<b>x</b>")</script>ok', [t('ok')]],
  ['style content is dropped', '<style>b { color: red }</style>ok', [t('ok')]],
  ['javascript: links keep only their label', '<a href="javascript:alert(1)">click</a>', [t('click')]],
  ['data: links keep only their label', '<a href="data:text/html,<script>x</script>">x</a>', [t('x')]],
  ['CR, LF and NUL from entities are not protocol', 'a&#13;&#10;QUIT :x&#0;b', [t('a QUIT :x\ufffdb')]],
  ['raw CR LF in text is whitespace', 'a\r\nPRIVMSG #x :hi', [t('a PRIVMSG #x :hi')]],
  ['IRC formatting codes are stripped', 'a\u0002b\u0003c\u000fd\u001de', [t('abcde')]],
  ['C1 controls are stripped', 'a\u0085b\u009bc', [t('abc')]],
  ['a lone surrogate becomes a replacement character', 'a\ud800b', [t('a\ufffdb')]],
  ['an unterminated tag is shown as text', 'x <b class="y', [t('x <b class="y')]],
  ['an unterminated comment is shown as text', 'x <!-- y', [t('x <!-- y')]],
  [
    'CR/LF in a code block become LF only, NUL removed',
    '<pre>a\r\nb\rc\u0000</pre>',
    [{ kind: 'code-block', text: 'a\nb\nc' }],
  ],
  [
    'a user id with a space is not a mention, only a link',
    '<a href="https://matrix.to/#/@a%20b:x.org">a</a>',
    [{ kind: 'link', url: 'https://matrix.to/#/@a%20b:x.org', label: 'a' }],
  ],
  [
    'a mention label with a line break is one line',
    '<a href="https://matrix.to/#/@a:x.org">A<br>B</a>',
    [{ kind: 'mention', person: { name: 'A B', matrix: { userId: '@a:x.org' } } }],
  ],
  ['stray closing tags are ignored', '</b></p>x</i>', [t('x')]],
  ['a closing tag closes what is inside it', '<b><i>x</b>y', [t('x', { bold: true, italic: true }), t('y')]],
  [
    'language names are checked',
    '<pre><code class="language-x&quot;onload=y">z</code></pre>',
    [{ kind: 'code-block', text: 'z' }],
  ],
];

describe('Matrix HTML → RichText', () => {
  for (const [name, html, expected] of [...cases, ...malicious]) {
    test(name, () => assert.deepEqual(matrixHtmlToRich(html), expected));
  }

  test('deep nesting is capped without losing text', () => {
    const html = `${'<b>'.repeat(500)}deep${'</b>'.repeat(500)} after`;
    assert.deepEqual(matrixHtmlToRich(html), [t('deep', { bold: true }), t(' after')]);
  });

  test('pathological input is handled in linear time', () => {
    const inputs = [
      '<a '.repeat(50_000),
      '<'.repeat(100_000),
      '<a x="'.repeat(30_000),
      '&#'.repeat(50_000) + '>',
    ];
    for (const html of inputs) {
      const started = performance.now();
      matrixHtmlToRich(html);
      assert.ok(performance.now() - started < 1000, `took too long on ${html.slice(0, 12)}…`);
    }
  });

  test('no text segment ever carries a control character', () => {
    const html = Array.from({ length: 0x100 }, (_, code) => `&#${code};${String.fromCharCode(code)}`).join(
      '<br>',
    );
    for (const segment of matrixHtmlToRich(html)) {
      if (segment.kind === 'text') assert.doesNotMatch(segment.text, /[\u0000-\u001f\u007f-\u009f]/);
    }
  });
});

describe('entities and colours', () => {
  test('numeric references outside Unicode or to NUL become U+FFFD; unknown names stay', () => {
    assert.equal(decodeEntities('&#0;&#x110000;&#xD800;&bogus;&amp'), '\ufffd\ufffd\ufffd&bogus;&amp');
  });

  test('colours map to the nearest palette entry', () => {
    assert.equal(nearestMircColour('#ff0000'), 4);
    assert.equal(nearestMircColour('#f00'), 4);
    assert.equal(nearestMircColour('#fe0101'), 4);
    assert.equal(nearestMircColour('red'), undefined);
    assert.equal(nearestMircColour(undefined), undefined);
  });
});
