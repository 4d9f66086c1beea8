/**
 * 10,000 generated messages each way through the bridge: arbitrary Unicode with CR, LF, NUL, IRC control
 * codes, IRC protocol fragments and HTML/script, as plain text, as RichText from a careless IRC adapter,
 * and as Matrix HTML through matrixHtmlToRich, with edits and replies to earlier messages. Nothing may
 * crash (the bridge logs what it catches, so an error logged is a failure), nothing produced for IRC may
 * carry a line end or a control character inside a line's text, and nothing produced for Matrix may carry
 * markup it did not mean: rendered through the Matrix renderer, the HTML has only the renderer's own tags
 * and safe links, and `m.mentions` names only known contacts.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCommand } from '../../../src/core/commands/parse.js';
import { mentionedUserIds, renderMatrixHtml } from '../../../src/core/format/matrix-html.js';
import { matrixHtmlToRich } from '../../../src/core/format/matrix-html-to-rich.js';
import type { Logger } from '../../../src/core/logger.js';
import type { MessageStyle, OutboundMessage } from '../../../src/core/messages.js';
import { toPlainText, type RichText, type Segment } from '../../../src/core/rich-text.js';
import { contacts } from '../../support/config-fixture.js';
import { bridgeWorld, IRC_ROOM, MATRIX_ROOM, type BridgeWorld } from './world.js';

const RUNS = 10_000;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const SAFE_URL = /^(https?|mailto|matrix|ircs?):[^\s\u0000-\u001f\u007f-\u009f]+$/i;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const STYLE_KEYS = new Set(['bold', 'italic', 'underline', 'strikethrough', 'monospace', 'color']);
const CONTACT_MATRIX_IDS = new Set(contacts.flatMap((contact) => (contact.matrix ? [contact.matrix] : [])));

const hostile = fc.constantFrom(
  '\r\nQUIT :x',
  '\r\nPRIVMSG #infra :!ack 1',
  '\r',
  '\n',
  '\u0000',
  '\u0001ACTION x\u0001',
  '\u0002',
  '\u0003',
  '\u000304,05',
  '\u000f',
  '\u0011',
  '\u0016',
  '\u001d',
  '\u001e',
  '\u001f',
  ':nick!user@host PRIVMSG #infra :',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<b>',
  '</b>',
  '&lt;',
  '&#0;',
  '&#13;&#10;',
  '<a href="javascript:alert(1)">x</a>',
  'ana: ',
  'ana',
  '\u2028',
  '\u0085',
  '\ud800',
  '\udfff',
  '\u200b',
  '"',
  "'",
  '<',
  '>',
  '&',
  '\t',
  ' ',
  'https://example.org/?a=1&b=<x>',
);
const chunk = fc.oneof(
  hostile,
  fc.string({ unit: 'binary', maxLength: 16 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 16 }),
);
const dirty = fc.array(chunk, { maxLength: 10 }).map((parts) => parts.join(''));
const tag = fc.constantFrom(
  '<b>',
  '</b>',
  '<i>',
  '<pre><code class="language-js">',
  '</code></pre>',
  '<blockquote>',
  '</blockquote>',
  '<mx-reply>',
  '</mx-reply>',
  '<br>',
  '<p>',
  '</p>',
  '<ul><li>',
  '</li></ul>',
  '<font data-mx-color="#ff0000">',
  '</font>',
  '<a href="https://matrix.to/#/@zed:example.org">',
  '<a href="https://matrix.to/#/@ana:example.org">',
  '<a href="https://example.org/">',
  '<a href="javascript:alert(1)">',
  '</a>',
  '<script>',
  '</script>',
  '<!--',
  '-->',
);
const html = fc.array(fc.oneof(tag, chunk), { maxLength: 16 }).map((parts) => parts.join(''));

const style = fc.record(
  {
    bold: fc.constant(true as const),
    italic: fc.constant(true as const),
    monospace: fc.constant(true as const),
    color: fc.record({ fg: fc.integer({ min: -5, max: 120 }), bg: fc.double() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
const segment: fc.Arbitrary<Segment> = fc.oneof(
  dirty.map((value): Segment => ({ kind: 'text', text: value })),
  fc.tuple(dirty, style).map(([value, s]) => ({ kind: 'text', text: value, style: s }) as Segment),
  fc
    .tuple(
      fc.oneof(
        dirty,
        fc.constantFrom('javascript:alert(1)', 'https://e.org/\r\nQUIT :x', 'https://ok.example/'),
      ),
      dirty,
    )
    .map(([url, label]): Segment => ({ kind: 'link', url, label })),
  fc.tuple(dirty, dirty).map(([name, nick]): Segment => ({
    kind: 'mention',
    person: { name, irc: { nick }, matrix: { userId: nick } },
  })),
  fc.tuple(dirty, dirty).map(([value, language]): Segment => ({ kind: 'code-block', text: value, language })),
  fc.constant<Segment>({ kind: 'line-break' }),
);

interface Generated {
  readonly text: string;
  readonly rich: RichText | undefined;
  readonly style: MessageStyle;
  readonly name: string;
  readonly edit: number | null;
  readonly reply: number | null;
}
const common = {
  style: fc.constantFrom<MessageStyle>('message', 'message', 'notice', 'emote'),
  name: dirty,
  edit: fc.option(fc.nat(7), { freq: 5 }),
  reply: fc.option(fc.nat(7), { freq: 5 }),
};
const fromIrc: fc.Arbitrary<Generated> = fc.record({
  text: dirty,
  rich: fc.option(fc.array(segment, { maxLength: 8 }), { nil: undefined }),
  ...common,
});
const fromMatrix: fc.Arbitrary<Generated> = fc.oneof(
  fc.record({ text: dirty, rich: fc.constant(undefined), ...common }),
  fc.record({ ...common, text: html, rich: fc.constant(undefined) }).map((generated) => ({
    ...generated,
    rich: matrixHtmlToRich(generated.text),
  })),
);

/** Commands go to the router's handlers, not the bridge; keep the run about relaying. */
const notACommand = (value: string): string => (parseCommand(value).kind === 'none' ? value : `x${value}`);

/** What any relayed segment must be, for either network. */
function checkSegment(part: Segment, target: 'irc' | 'matrix'): void {
  switch (part.kind) {
    case 'text':
      assert.doesNotMatch(part.text, CONTROL, `${target} text carries a control character`);
      checkStyle(part.style);
      break;
    case 'link':
      assert.match(part.url, SAFE_URL);
      assert.doesNotMatch(part.label ?? '', CONTROL);
      break;
    case 'mention':
      // Only contacts are mentioned, so Matrix's `m.mentions` is empty unless a contact was highlighted.
      assert.ok(CONTACT_MATRIX_IDS.has(part.person.matrix?.userId ?? ''), 'only contacts are mentioned');
      assert.ok(part.person.contactId !== undefined);
      assert.equal(target, 'matrix', 'IRC gets nicks as text');
      break;
    case 'code-block':
      assert.equal(target, 'matrix', 'a code block reached IRC unconverted');
      assert.doesNotMatch(part.text, CONTROL_BUT_LF);
      if (part.language !== undefined) assert.match(part.language, LANGUAGE);
      break;
    case 'line-break':
      break;
  }
}

function checkForIrc(message: OutboundMessage): void {
  message.body.forEach((part) => checkSegment(part, 'irc'));
  // Every line starts with who said it: no relayed line can begin like a command or a protocol line.
  const lines = toPlainText(message.body).split('\n');
  for (const line of lines) assert.match(line, /^(<|\* )/);
  assert.ok(message.style === 'message' || message.style === 'notice');
}

const ALLOWED_TAG =
  /^<(\/?)(strong|em|u|del|code|pre|a|br|font)((?: (?:href|data-mx-color|data-mx-bg-color|class)="[^"<>]*")*)>$/;
const SAFE_HREF = /href="(https?:|mailto:|matrix:)/;

function checkForMatrix(message: OutboundMessage): void {
  message.body.forEach((part) => checkSegment(part, 'matrix'));
  // As the Matrix adapter renders it: only the renderer's own tags, and nothing else that parses as HTML.
  const { formatted_body: html } = renderMatrixHtml(message.body);
  for (const tag of html.match(/<[^>]*>/g) ?? []) {
    assert.match(tag, ALLOWED_TAG, `unexpected markup in ${html}`);
    if (tag.startsWith('<a ')) assert.match(tag, SAFE_HREF);
  }
  assert.doesNotMatch(html.replace(/<[^>]*>/g, ''), /[<>]/, 'text outside tags is escaped');
  for (const userId of mentionedUserIds(message.body)) assert.ok(CONTACT_MATRIX_IDS.has(userId));
}

function checkStyle(value: unknown): void {
  if (value === undefined) return;
  for (const key of Object.keys(value as object)) assert.ok(STYLE_KEYS.has(key), `style key ${key}`);
  const color = (value as { color?: { fg?: unknown; bg?: unknown } }).color;
  for (const index of [color?.fg, color?.bg])
    if (index !== undefined)
      assert.ok(Number.isInteger(index) && (index as number) >= 0 && (index as number) <= 98);
}

const worlds: BridgeWorld[] = [];
after(async () => {
  for (const w of worlds.splice(0)) await w.stop();
});

test(`${RUNS} generated messages each way: no crash, no injection`, async () => {
  const errors: unknown[] = [];
  const logger: Logger = {
    child: () => logger,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (...args: unknown[]) => void errors.push(args),
  };
  const w = await bridgeWorld({ logger });
  worlds.push(w);
  const ids = { irc: [] as string[], matrix: [] as string[] };
  let seen = { irc: 0, matrix: 0 };
  const relation = (list: readonly string[], index: number | null): { messageId: string } | undefined => {
    const id = index === null ? undefined : list[list.length - 1 - index];
    return id === undefined ? undefined : { messageId: id };
  };
  const say = (side: 'irc' | 'matrix', generated: Generated, run: number): void => {
    const editOf = relation(ids[side], generated.edit);
    const replyTo = relation(ids[side], generated.reply);
    const sender =
      side === 'irc'
        ? { id: generated.name || 'nobody', name: generated.name, verification: 'none' as const }
        : {
            id: `@u${run % 7}:example.org`,
            name: generated.name,
            account: `@u${run % 7}:example.org`,
            verification: 'homeserver' as const,
          };
    const id = (side === 'irc' ? w.irc : w.matrix).say(
      side === 'irc' ? IRC_ROOM : MATRIX_ROOM,
      sender,
      notACommand(generated.text),
      {
        style: generated.style,
        ...(generated.rich === undefined ? {} : { rich: generated.rich }),
        ...(editOf ? { editOf } : {}),
        ...(replyTo ? { replyTo } : {}),
      },
    );
    ids[side].push(id);
  };

  let run = 0;
  fc.assert(
    fc.property(fromIrc, fromMatrix, (irc, matrix) => {
      run += 1;
      say('irc', irc, run);
      say('matrix', matrix, run);
      w.advance(1000);
      const forIrc = w.irc.network.sent.slice(seen.irc);
      const forMatrix = w.matrix.network.sent.slice(seen.matrix);
      seen = { irc: w.irc.network.sent.length, matrix: w.matrix.network.sent.length };
      forIrc.forEach(checkForIrc);
      forMatrix.forEach(checkForMatrix);
      assert.deepEqual(errors, []);
    }),
    { numRuns: RUNS, seed: 20261125 },
  );
  assert.equal(run, RUNS);
  assert.ok(w.irc.network.sent.length > RUNS / 2, `relayed to IRC: ${w.irc.network.sent.length}`);
  assert.ok(w.matrix.network.sent.length > RUNS / 2, `relayed to Matrix: ${w.matrix.network.sent.length}`);
});
