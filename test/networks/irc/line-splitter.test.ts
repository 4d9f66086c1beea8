import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  byteLength,
  payloadBudget,
  splitLine,
  toIrcLines,
  WORST_CASE_HOST,
} from '../../../src/networks/irc/line-splitter.js';

const family = '👨‍👩‍👧'; // one grapheme, 18 bytes
const flag = '🇩🇪'; // one grapheme, 8 bytes
const eAcute = 'e\u0301'; // one grapheme, 3 bytes

test('payloadBudget: 512 bytes minus CRLF minus the prefix the server puts in front', () => {
  const source = { nick: 'fb', user: 'u', host: 'h' };
  // ":fb!u@h PRIVMSG #c :" is 20 bytes
  assert.equal(payloadBudget(source, 'PRIVMSG', '#c'), 490);
  assert.equal(payloadBudget(source, 'NOTICE', '#c'), 491);
  assert.equal(payloadBudget(source, 'PRIVMSG', '#c', 9), 481);
  assert.equal(payloadBudget({ ...source, host: 'hôst' }, 'PRIVMSG', '#c'), 486, 'bytes, not characters');
  const worst = payloadBudget(
    { nick: 'firebell', user: '~firebell', host: WORST_CASE_HOST },
    'PRIVMSG',
    '#opendev',
  );
  assert.equal(worst, 510 - byteLength(`:firebell!~firebell@${WORST_CASE_HOST} PRIVMSG #opendev :`));
});

test('splitLine at the exact byte limits, with multibyte text', () => {
  const cases: [string, string, number, string[]][] = [
    ['fits exactly', 'a'.repeat(10), 10, ['a'.repeat(10)]],
    ['one byte over', 'a'.repeat(11), 10, ['a'.repeat(10), 'a']],
    ['two-byte chars filling the limit', 'é'.repeat(5), 10, ['é'.repeat(5)]],
    ['two-byte chars one over', 'é'.repeat(6), 10, ['é'.repeat(5), 'é']],
    [
      'a two-byte char straddling the limit moves to the next line',
      `${'a'.repeat(9)}é`,
      10,
      ['a'.repeat(9), 'é'],
    ],
    ['three-byte chars', '日本語日本語日', 9, ['日本語', '日本語', '日']],
    ['a ZWJ sequence that fits', `ab${family}`, 20, [`ab${family}`]],
    ['a ZWJ sequence is never split', `abc${family}`, 20, ['abc', family]],
    ['combining marks stay with their letter', eAcute.repeat(4), 10, [eAcute.repeat(3), eAcute]],
    ['a grapheme larger than the line is cut between code points', flag, 6, ['🇩', '🇪']],
    ['a word boundary inside the limit', 'hello world foo', 11, ['hello world', 'foo']],
    ['cut at the last space', 'hello wonderful', 10, ['hello', 'wonderful']],
    ['a space too early is not worth it', 'a bcdefghijkl', 10, ['a bcdefghi', 'jkl']],
    ['multibyte words', 'héllo wörld', 10, ['héllo', 'wörld']],
    ['bold is reopened on the next line', `\x02${'x'.repeat(12)}`, 10, [`\x02${'x'.repeat(9)}`, '\x02xxx']],
    [
      'colour is reopened on the next line',
      `\x0304,05${'y'.repeat(10)}`,
      10,
      ['\x0304,05yyyy', '\x0304,05yyyy', '\x0304,05yy'],
    ],
    ['a closed style is not reopened', `\x02ab\x02${'c'.repeat(8)}`, 10, [`\x02ab\x02cccccc`, 'cc']],
  ];
  for (const [name, line, max, expected] of cases) {
    const chunks = splitLine(line, max);
    assert.deepEqual(chunks, expected, name);
    for (const chunk of chunks) assert.ok(byteLength(chunk) <= max, `${name}: ${byteLength(chunk)} > ${max}`);
  }
});

test('splitLine never exceeds the budget, never splits a grapheme, and loses only the spaces it cut at', () => {
  const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const clusters = (value: string): string[] => [...graphemes.segment(value)].map((part) => part.segment);
  const pieces = fc.constantFrom('a', 'é', eAcute, '日', '👩‍💻', family, flag, ' ', 'word', 'longerword');
  fc.assert(
    fc.property(
      fc.array(pieces, { minLength: 1, maxLength: 120 }),
      fc.integer({ min: 20, max: 120 }),
      (parts, max) => {
        const line = parts.join('');
        const chunks = splitLine(line, max);
        for (const chunk of chunks) {
          assert.ok(byteLength(chunk) <= max);
          assert.equal(Buffer.from(chunk, 'utf8').toString('utf8'), chunk, 'valid UTF-8, no lone surrogate');
        }
        const original = clusters(line).filter((cluster) => cluster !== ' ');
        const rejoined = chunks.flatMap(clusters).filter((cluster) => cluster !== ' ');
        assert.deepEqual(rejoined, original);
      },
    ),
    { numRuns: 300 },
  );
});

test('toIrcLines: CR, LF and NUL never reach the wire; formatting survives; empty lines go', () => {
  const cases: [string, string, string[]][] = [
    ['line endings of every kind', 'a\r\nb\rc\nd', ['a', 'b', 'c', 'd']],
    ['an injected command is only text', 'hi\r\nQUIT :bye', ['hi', 'QUIT :bye']],
    ['NUL and other controls are dropped', 'x\u0000y\u0007z\u001b', ['xyz']],
    ['no CTCP from text', '\x01ACTION dances\x01', ['ACTION dances']],
    ['tabs become spaces', 'a\tb', ['a b']],
    ['formatting codes are kept', '\x02bold\x0f \x0304red', ['\x02bold\x0f \x0304red']],
    ['lines with nothing visible are dropped', 'a\n\n   \n\x02\x0f\nb', ['a', 'b']],
  ];
  for (const [name, input, expected] of cases) assert.deepEqual(toIrcLines(input), expected, name);
});
