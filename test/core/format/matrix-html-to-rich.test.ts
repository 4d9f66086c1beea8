import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEntities, matrixHtmlToRich } from '../../../src/core/format/matrix-html-to-rich.js';
import { nearestMircColour } from '../../../src/core/format/mirc-colours.js';
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

/** What Element (commonmark + its composer) and other clients put in `formatted_body`. */
const fromClients: readonly (readonly [string, string, RichText])[] = [
  [
    'Element reply: the mx-reply fallback (link to the event, the sender, the quoted HTML) is dropped',
    '<mx-reply><blockquote><a href="https://matrix.to/#/!ops:example.org/$e1?via=example.org">In reply to</a> ' +
      '<a href="https://matrix.to/#/@ana:example.org">@ana:example.org</a><br /><p>the <b>mirror</b> ' +
      'is down</p></blockquote></mx-reply>on it, <a href="https://matrix.to/#/@ana:example.org">Ana</a>',
    [t('on it, '), { kind: 'mention', person: { name: 'Ana', matrix: { userId: '@ana:example.org' } } }],
  ],
  [
    'the reply fallback as the spec lays it out, with whitespace and a comment inside',
    '<mx-reply>\n  <blockquote>\n    <a href="https://matrix.to/#/!r:x.org/$e:x.org">In reply to</a>\n' +
      '    <a href="https://matrix.to/#/@alice:x.org">@alice:x.org</a>\n    <br />\n' +
      '    <!-- the related event -->\n  </blockquote>\n</mx-reply>\nThis is where the reply goes.',
    [t('This is where the reply goes.')],
  ],
  [
    'Element nested list (commonmark puts newlines between the tags)',
    '<ul>\n<li>mirrors\n<ul>\n<li>pypi</li>\n<li>npm</li>\n</ul>\n</li>\n<li>gate</li>\n</ul>\n',
    [t('• mirrors'), br, t('  • pypi'), br, t('  • npm'), br, t('• gate')],
  ],
  [
    'Element ordered list starting at 3, with a nested ordered list',
    '<ol start="3">\n<li>drain\n<ol>\n<li>stop zuul</li>\n<li>wait</li>\n</ol>\n</li>\n<li>restart</li>\n</ol>\n',
    [t('3. drain'), br, t('  1. stop zuul'), br, t('  2. wait'), br, t('4. restart')],
  ],
  [
    'a list of loose items (each in a paragraph)',
    '<ul>\n<li>\n<p>one</p>\n</li>\n<li>\n<p>two</p>\n</li>\n</ul>\n',
    [t('• one'), br, t('• two')],
  ],
  [
    'Element code block with its language and the trailing newline commonmark adds',
    '<p>try:</p>\n<pre><code class="language-bash">systemctl restart nginx\njournalctl -u nginx | tail\n' +
      '</code></pre>\n<p>then <code>curl -I</code></p>\n',
    [
      t('try:'),
      { kind: 'code-block', text: 'systemctl restart nginx\njournalctl -u nginx | tail', language: 'bash' },
      t('then '),
      t('curl -I', { monospace: true }),
    ],
  ],
  [
    'a code block keeps escaped markup and its indentation',
    '<pre><code>if (a &lt; b &amp;&amp; c) {\n\treturn &quot;x&quot;;\n}\n</code></pre>',
    [{ kind: 'code-block', text: 'if (a < b && c) {\n    return "x";\n}' }],
  ],
  [
    'inline code with entities next to plain ones',
    '<code>a &lt; b</code> &amp;&amp; <b>c</b>',
    [t('a < b', { monospace: true }), t(' && '), t('c', { bold: true })],
  ],
  [
    'Element /rainbow: one colour span per letter',
    '<span data-mx-color="#ff00be">r</span><span data-mx-color="#ff8400">a</span>' +
      '<span data-mx-color="#00ff00" data-mx-bg-color="#000000">in</span>',
    [t('r', { color: { fg: 63 } }), t('a', { color: { fg: 7 } }), t('in', { color: { fg: 56, bg: 1 } })],
  ],
  [
    'a colour around bold keeps both, and ends where its span ends',
    '<font color="#f00"><b>red bold</b> red</font> plain',
    [t('red bold', { color: { fg: 4 }, bold: true }), t(' red', { color: { fg: 4 } }), t(' plain')],
  ],
  [
    'a background inside a foreground colour combines them',
    '<font data-mx-color="#ff0000"><span data-mx-bg-color="#ffff00">both</span> fg</font>',
    [t('both', { color: { fg: 4, bg: 8 } }), t(' fg', { color: { fg: 4 } })],
  ],
  [
    'Element quote: paragraphs inside a blockquote, then the answer',
    '<blockquote>\n<p>the gate is red</p>\n<p>since 10:00</p>\n</blockquote>\n<p>looking</p>\n',
    [t('> the gate is red'), br, t('> since 10:00'), br, t('looking')],
  ],
  [
    'a table: cells separated by a space, rows by a line',
    '<table><thead><tr><th>host</th><th>state</th></tr></thead>' +
      '<tbody><tr><td>mirror01</td><td>down</td></tr></tbody></table>',
    [t('host state'), br, t('mirror01 down')],
  ],
  [
    'headings, a rule and paragraphs',
    '<h1>Outage</h1>\n<p>mirror</p>\n<hr />\n<p>fixed</p>\n',
    [t('Outage', { bold: true }), br, t('mirror'), br, t('fixed')],
  ],
];

/** Broken markup: read as HTML reads it, and nothing typed is lost. */
const malformed: readonly (readonly [string, string, RichText])[] = [
  [
    'bold never closed runs to the end',
    'a <b>bold never closed',
    [t('a '), t('bold never closed', { bold: true })],
  ],
  [
    'misnested tags close what they contain',
    '<b><i>x</b>y</i>z',
    [t('x', { bold: true, italic: true }), t('yz')],
  ],
  ['a paragraph opened inside a paragraph closes it', '<p>a<p>b', [t('a'), br, t('b')]],
  [
    'a list item opened inside an item closes it',
    '<ul><li>one<li>two</ul>after',
    [t('• one'), br, t('• two'), br, t('after')],
  ],
  ['</br> is a line break, as browsers read it', 'a</br>b', [t('a'), br, t('b')]],
  [
    'upper-case tags and unquoted attributes',
    '<B>LOUD</B> <A HREF=https://example.org/x>x</A>',
    [t('LOUD', { bold: true }), t(' '), { kind: 'link', url: 'https://example.org/x', label: 'x' }],
  ],
  ['a self-closed element is empty', '<b/>plain<br/>next', [t('plain'), br, t('next')]],
  [
    'a repeated attribute keeps its first value',
    '<a href="https://a.example" href="javascript:x">a</a>',
    [{ kind: 'link', url: 'https://a.example', label: 'a' }],
  ],
  [
    'a link inside a link closes the first',
    '<a href="https://a.example">a<a href="https://b.example">b</a>',
    [
      { kind: 'link', url: 'https://a.example', label: 'a' },
      { kind: 'link', url: 'https://b.example', label: 'b' },
    ],
  ],
  [
    'an unterminated tag after a line break is text on the new line',
    '<b>x</b><br><c',
    [t('x', { bold: true }), br, t('<c')],
  ],
  [
    'an unterminated tag that would close a paragraph is text in it',
    '<p>a <div class="x',
    [t('a <div class="x')],
  ],
  ['an unterminated comment after a paragraph is text', '<p>x</p><!-- c', [t('x'), br, t('<!-- c')]],
  ['an unterminated tag inside a dropped element stays dropped', '<mx-reply>quoted <b', []],
  ['an unterminated closing tag is text', 'a</b', [t('a</b')]],
  ['a stray closing tag at the very end vanishes', 'a</span>', [t('a')]],
  ['an unclosed code block ends with the input', '<pre><code>x\ny', [{ kind: 'code-block', text: 'x\ny' }]],
  [
    'an unclosed link ends with the input',
    'see <a href="https://example.org">docs',
    [t('see '), { kind: 'link', url: 'https://example.org', label: 'docs' }],
  ],
  ['an mx-reply never closed drops what it holds', '<mx-reply><blockquote>q</blockquote>', []],
  ['a script never closed hides the rest', 'ok<script>alert(1)<b>x</b>', [t('ok')]],
];

describe('Matrix HTML → RichText', () => {
  for (const [name, html, expected] of [...cases, ...malicious, ...fromClients, ...malformed]) {
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

  test('the deepest nesting a Matrix event can hold (64 KiB) converts quickly', () => {
    // htmlparser2's element stack makes nesting depth cost quadratically; the event size limit bounds it.
    for (const unit of ['<b>', '<div><p>', '<b>x</i>', '<ul><li>', '<a>']) {
      const html = unit.repeat(Math.floor(65_536 / unit.length));
      const started = performance.now();
      matrixHtmlToRich(html);
      assert.ok(performance.now() - started < 1000, `took too long on ${unit}…`);
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
