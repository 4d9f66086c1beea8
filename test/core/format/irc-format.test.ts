import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseIrc,
  renderIrc,
  reopenFormatting,
  stripIrcFormatting,
} from '../../../src/core/format/irc-format.js';
import {
  bold,
  code,
  lineBreak,
  link,
  mention,
  rich,
  text,
  type RichText,
} from '../../../src/core/rich-text.js';

const alice = { name: 'Alice Example', irc: { nick: 'alice', account: 'alice-acct' } };

test('renderIrc: each style becomes its code and is closed with a reset', () => {
  const cases: [string, RichText, string][] = [
    ['plain', rich('hello'), 'hello'],
    ['bold', rich('a ', bold('b'), ' c'), 'a \x02b\x0f c'],
    ['italic', [text('i', { italic: true })], '\x1di\x0f'],
    ['underline', [text('u', { underline: true })], '\x1fu\x0f'],
    ['strikethrough', [text('s', { strikethrough: true })], '\x1es\x0f'],
    ['monospace', rich(code('x = 1')), '\x11x = 1\x0f'],
    ['colour with two digits', [text('1 red', { color: { fg: 4 } })], '\x03041 red\x0f'],
    ['colour with background', [text('x', { color: { fg: 0, bg: 1 } })], '\x0300,01x\x0f'],
    ['background only', [text('x', { color: { bg: 12 } })], '\x0399,12x\x0f'],
    ['styles combined', [text('x', { bold: true, italic: true, color: { fg: 3 } })], '\x02\x1d\x0303x\x0f'],
  ];
  for (const [name, body, expected] of cases) assert.equal(renderIrc(body), expected, name);
});

test('renderIrc: links, mentions, code blocks and line breaks', () => {
  const cases: [string, RichText, string][] = [
    ['bare link', rich(link('https://x.org/a')), 'https://x.org/a'],
    ['labelled link', rich(link('https://x.org/a', 'play book')), 'play book (https://x.org/a)'],
    ['label equal to url', rich(link('https://x.org', 'https://x.org')), 'https://x.org'],
    ['mention is the nick', rich(mention(alice), ': please look'), 'alice: please look'],
    ['mention without IRC handle', rich(mention({ name: 'Carol' })), 'Carol'],
    ['line break', rich('a', lineBreak, 'b'), 'a\nb'],
    [
      'code block on its own lines',
      rich('log:', { kind: 'code-block', text: 'line 1\nline 2' }, 'after'),
      'log:\nline 1\nline 2\nafter',
    ],
    ['styled text across lines', [text('a\nb', { bold: true })], '\x02a\x0f\n\x02b\x0f'],
  ];
  for (const [name, body, expected] of cases) assert.equal(renderIrc(body), expected, name);
});

test('renderIrc: text never carries its own control codes; CR/LF become line breaks', () => {
  assert.equal(renderIrc(rich('a\x02b\x03c\x00d\x01e')), 'abcde');
  assert.equal(renderIrc(rich('one\r\ntwo\rthree\tfour')), 'one\ntwo\nthree four');
  assert.equal(renderIrc(rich(link('https://x.org/\r\nQUIT', 'l\x00x'))), 'lx (https://x.org/QUIT)');
});

test('parseIrc: codes become styles, the plain text loses them', () => {
  const cases: [string, string, string, RichText][] = [
    ['plain', 'hello', 'hello', [{ kind: 'text', text: 'hello' }]],
    [
      'bold toggled',
      'a \x02b\x02 c',
      'a b c',
      [
        { kind: 'text', text: 'a ' },
        { kind: 'text', text: 'b', style: { bold: true } },
        { kind: 'text', text: ' c' },
      ],
    ],
    [
      'reset ends everything',
      '\x02\x1dx\x0fy',
      'xy',
      [
        { kind: 'text', text: 'x', style: { bold: true, italic: true } },
        { kind: 'text', text: 'y' },
      ],
    ],
    [
      'colour fg,bg then colour reset',
      '\x034,12red\x03 plain',
      'red plain',
      [
        { kind: 'text', text: 'red', style: { color: { fg: 4, bg: 12 } } },
        { kind: 'text', text: ' plain' },
      ],
    ],
    [
      'digits after a two-digit colour are text',
      '\x030412',
      '12',
      [{ kind: 'text', text: '12', style: { color: { fg: 4 } } }],
    ],
    [
      'comma without digit is text',
      '\x034,x',
      ',x',
      [{ kind: 'text', text: ',x', style: { color: { fg: 4 } } }],
    ],
    [
      '99 is the default colour',
      '\x0399,01x',
      'x',
      [{ kind: 'text', text: 'x', style: { color: { bg: 1 } } }],
    ],
    [
      'underline, strikethrough, monospace',
      '\x1fu\x1f\x1es\x1e\x11m',
      'usm',
      [
        { kind: 'text', text: 'u', style: { underline: true } },
        { kind: 'text', text: 's', style: { strikethrough: true } },
        { kind: 'text', text: 'm', style: { monospace: true } },
      ],
    ],
    ['hex colour is consumed', '\x04FF0000,00FF00hex\x04 x', 'hex x', [{ kind: 'text', text: 'hex x' }]],
    ['reverse is dropped', '\x16rev', 'rev', [{ kind: 'text', text: 'rev' }]],
    ['unknown controls are dropped', 'a\x01b\x07c\x00d\x7fe', 'abcde', [{ kind: 'text', text: 'abcde' }]],
    [
      'multibyte text survives',
      '\x02日本語 👩‍💻',
      '日本語 👩‍💻',
      [{ kind: 'text', text: '日本語 👩‍💻', style: { bold: true } }],
    ],
  ];
  for (const [name, input, plain, expected] of cases) {
    const parsed = parseIrc(input);
    assert.equal(parsed.text, plain, name);
    assert.deepEqual(parsed.rich, expected, name);
  }
});

test('render then parse gives the same text and styles back', () => {
  const body: RichText = [
    text('Incident '),
    text('#12', { bold: true }),
    text(' is ', {}),
    text('open', { color: { fg: 4 }, underline: true }),
  ];
  const parsed = parseIrc(renderIrc(body));
  assert.equal(parsed.text, 'Incident #12 is open');
  assert.deepEqual(parsed.rich, [
    { kind: 'text', text: 'Incident ' },
    { kind: 'text', text: '#12', style: { bold: true } },
    { kind: 'text', text: ' is ' },
    { kind: 'text', text: 'open', style: { underline: true, color: { fg: 4 } } },
  ]);
});

test('reopenFormatting: the codes in force at the end of a text', () => {
  const cases: [string, string][] = [
    ['plain', ''],
    ['\x02bold', '\x02'],
    ['\x02bold\x02 off', ''],
    ['\x1d\x1fboth', '\x1d\x1f'],
    ['\x034,5c', '\x0304,05'],
    ['\x034,5c\x037d', '\x0307,05'],
    ['\x034c\x03', ''],
    ['\x04ff0000hex', '\x04ff0000'],
    ['\x02\x034x\x0f', ''],
  ];
  for (const [input, expected] of cases)
    assert.equal(reopenFormatting(input), expected, JSON.stringify(input));
  assert.equal(stripIrcFormatting('\x02a\x0304b'), 'ab');
});
