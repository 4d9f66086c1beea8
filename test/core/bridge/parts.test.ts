import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cap, noHighlight, RoomNames } from '../../../src/core/bridge/attribution.js';
import { confusable, nameKeys } from '../../../src/core/bridge/lookalikes.js';
import { cutToLines, ircLines, splitToFit, utf8Length } from '../../../src/core/bridge/irc-lines.js';
import { renderIrc } from '../../../src/core/format/irc-format.js';
import { openDurable, TestStore } from '../../support/test-store.js';
import { JournaledLongMessages } from '../../../src/core/bridge/long-messages.js';
import { systemClock } from '../../../src/core/clock.js';
import { substitutionFor } from '../../../src/core/bridge/message-diff.js';
import { outageNote } from '../../../src/core/bridge/outage.js';
import { sanitizeRich, singleLine } from '../../../src/core/bridge/sanitize.js';
import { link, text } from '../../../src/core/rich-text.js';
import { Z } from './world.js';

describe('edits as substitutions (matrix-appservice-irc heuristics)', () => {
  const cases: readonly (readonly [string, string, string | undefined])[] = [
    ['the mirror in dfw is broken', 'the mirror in ord is broken', 's/dfw/ord/'],
    ['the mirror in dfw is broken', 'the mirror in dfw is broken again', 's/broken/broken again/'],
    ['mirror in dfw is broken now', 'the mirror in dfw is broken now', 's/mirror/the mirror/'],
    ['the mirror in dfw is really broken', 'the mirror in dfw is broken', 's/really//'],
    [
      'we deploy one and three and five today after lunch',
      'we deploy uno and tres and cinco today after lunch',
      's/one/uno/, s/three/tres/, s/five/cinco/',
    ],
    ['one two three four five six seven', 'uno dos tres four cinco six siete', undefined],
    ['short text', 'short test', undefined],
    ['the gate is red and the gate is red', 'the gate is red and the gate is green', undefined],
    ['a/b path is wrong here today', 'a/c path is wrong here today', undefined],
    ['completely different words here', 'nothing at all in common there', undefined],
    ['two\nlines of text here', 'two\nlines of text there', undefined],
    ['identical text is not an edit', 'identical text is not an edit', undefined],
  ];
  for (const [before, after, expected] of cases) {
    test(`${JSON.stringify(before)} → ${JSON.stringify(after)}`, () =>
      assert.equal(substitutionFor(before, after), expected));
  }

  test('very long texts are not diffed', () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    assert.equal(substitutionFor(words, words.replace('w5 ', 'x5 ')), undefined);
  });
});

describe('attribution', () => {
  test('a zero-width space goes inside every nick-like run of two or more characters', () => {
    assert.equal(noHighlight('alice'), `a${Z}lice`);
    assert.equal(noHighlight('Ana Banana'), `A${Z}na B${Z}anana`);
    assert.equal(noHighlight('@bob:example.org'), `@b${Z}ob:e${Z}xample.o${Z}rg`);
    assert.equal(noHighlight('a b'), 'a b');
    assert.equal(noHighlight('😀x 日本'), `😀x 日${Z}本`);
  });

  test('names are capped by characters, not UTF-16 units', () => {
    assert.equal(cap('😀'.repeat(40), 30), `${'😀'.repeat(29)}…`);
    assert.equal(cap('short', 30), 'short');
  });

  test('a name is disambiguated only while another member has it', () => {
    const names = new RoomNames();
    names.observe('room', '@a:x', 'Sam');
    assert.equal(names.label('room', '@a:x', 'Sam'), 'Sam');
    names.observe('room', '@b:x', 'sam');
    assert.equal(names.label('room', '@a:x', 'Sam'), 'Sam (@a:x)');
    assert.equal(names.label('other', '@a:x', 'Sam'), 'Sam');
    names.forget('room', '@b:x');
    assert.equal(names.label('room', '@a:x', 'Sam'), 'Sam');
  });

  test('names that look alike: other scripts, full-width letters, I and l, any case; different names do not', () => {
    const alike = (a: string, b: string): boolean => confusable(nameKeys(a), nameKeys(b));
    assert.ok(alike('Ana', '\u0410n\u0430'), 'Cyrillic А and а');
    assert.ok(alike('alice', '\uff41lice'), 'full-width a');
    assert.ok(alike('Bill', 'BiII'), 'capital I for l');
    assert.ok(alike('il', 'Il'), 'case, before or after the mapping');
    assert.ok(alike('Sam', 'sam'));
    assert.ok(!alike('Ana', 'Anna'));
    assert.ok(!alike('bob', 'rob'));
    const names = new RoomNames();
    assert.equal(names.label('room', '@e:x', '\u0430lice', [nameKeys('alice')]), '\u0430lice (@e:x)');
    assert.equal(names.label('room', '@e:x', 'eve', [nameKeys('alice')]), 'eve');
  });
});

describe('sanitizing', () => {
  test('line ends become line breaks; other controls vanish; unsafe links become text', () => {
    assert.deepEqual(
      sanitizeRich([
        text('a\r\nb\u0000\u0002c\u2028d'),
        link('javascript:alert(1)', 'x'),
        link('https://e.org/\r\nQUIT'),
      ]),
      [
        text('a'),
        { kind: 'line-break' },
        text('bc'),
        { kind: 'line-break' },
        text('d'),
        text('x'),
        text('https://e.org/'),
        { kind: 'line-break' },
        text('QUIT'),
      ],
    );
    assert.equal(singleLine(' a\r\n\tb\u0007 '), 'a b');
  });
});

describe('IRC lines', () => {
  test('a line costs as many IRC lines as its bytes need', () => {
    const lines = ircLines([text('é'.repeat(300))]); // 600 bytes: two IRC lines
    assert.equal(cutToLines(lines, 2), undefined);
    assert.deepEqual(cutToLines(lines, 1)?.hidden, 0);
    assert.equal(utf8Length('é😀a'), 7);
  });

  test('a line is split to fit IRC lines: between words, a word or link too long on its own cut as text', () => {
    const fit = (line: Parameters<typeof splitToFit>[0]) =>
      splitToFit(line, 50).map((piece) => renderIrc(piece));
    assert.deepEqual(fit([text(`${'aaaa '.repeat(14)}aaaa`, { bold: true })]), [
      `\x02${'aaaa '.repeat(8)}aaaa\x0f`,
      `\x02${'aaaa '.repeat(5)}aaaa\x0f`,
    ]);
    assert.deepEqual(fit([text('y'.repeat(120))]), ['y'.repeat(50), 'y'.repeat(50), 'y'.repeat(20)]);
    const pieces = fit([text('see '), link('https://e.org/x', 'a label '.repeat(10))]);
    assert.ok(pieces.length > 2 && pieces.every((piece) => utf8Length(piece) <= 50), pieces.join('|'));
    assert.equal(pieces.join(' ').replace(/\s+/g, ' '), `see ${'a label '.repeat(10)}(https://e.org/x)`);
  });

  test('cut lines never split a character', () => {
    const cut = cutToLines(ircLines([text('😀'.repeat(500))]), 1);
    const shown = cut?.lines[0]?.[0];
    assert.ok(shown?.kind === 'text');
    assert.equal(shown.text, `${'😀'.repeat(99)}…`);
  });
});

describe('long message store', () => {
  const message = { sender: 'Ana (@ana:x)', network: 'matrix', conversation: '#r:x', at: 1, text: 'long' };

  async function longMessages(
    slots?: number,
    token?: () => string,
  ): Promise<{
    messages: JournaledLongMessages;
    db: TestStore;
    reopen: () => Promise<JournaledLongMessages>;
  }> {
    const db = new TestStore();
    const open = async (): Promise<JournaledLongMessages> => {
      const durable = await openDurable(db, systemClock);
      return new JournaledLongMessages({
        journal: durable.journal,
        store: db,
        keyValues: durable.keyValues,
        ...(slots === undefined ? {} : { slots }),
        ...(token === undefined ? {} : { token }),
      });
    };
    return { messages: await open(), db, reopen: open };
  }

  test('saves and loads by id; a wrong token or a reused slot answers nothing', async () => {
    let n = 0;
    const { messages: store, db, reopen } = await longMessages(2, () => `token000${(n += 1)}`);
    const first = store.save(message);
    assert.equal(first, '0-token0001');
    assert.deepEqual(await store.load(first), message, 'found before its commit');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(await (await reopen()).load(first), message, 'and from the store after it');
    assert.equal(await store.load('0-token0009'), undefined);
    assert.equal(await store.load('../etc/passwd'), undefined);
    store.save({ ...message, text: 'second' });
    store.save({ ...message, text: 'third' });
    assert.equal(await store.load(first), undefined, 'slot 0 was reused');
    assert.equal((await store.load('0-token0003'))?.text, 'third');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      db.rows('SELECT slot FROM long_messages ORDER BY slot'),
      [{ slot: 0 }, { slot: 1 }],
      'two slots, reused: storage stays bounded',
    );
  });

  test('the default token is long and URL-safe', async () => {
    const { messages: store } = await longMessages();
    assert.match(store.save(message), /^0-[A-Za-z0-9_-]{16}$/);
  });
});

test('the outage note', () => {
  const at = Date.UTC(2026, 10, 25, 15, 2, 10);
  assert.equal(
    outageNote(at, at + 455_000, 3, 0),
    'relay was down from 15:02:10 to 15:09:45 UTC; 3 messages follow, 0 dropped',
  );
  assert.equal(
    outageNote(at, at + 1000, 1, 5),
    'relay was down from 15:02:10 to 15:02:11 UTC; 1 message follows, 5 dropped',
  );
});
