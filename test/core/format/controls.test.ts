/** C1 controls (U+0080–U+009F) from people's text are never echoed, as C0 never was (issue 13, item 13). */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { ircUser, matrixUser } from '../../support/fake-network.js';
import { toPlainText, mention, rich, text } from '../../../src/core/rich-text.js';
import { renderIrc } from '../../../src/core/format/irc-format.js';
import { renderMatrixHtml } from '../../../src/core/format/matrix-html.js';
import { renderShellText } from '../../../src/networks/shell/render-shell.js';
import { cleanChatLine } from '../../../src/core/format/controls.js';

afterEach(stopWorlds);

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const NEL = '\u0085';
const CSI = '\u009b';

test('usage replies, announcements and resolve notes carry no C1 control from what was typed', async () => {
  const w = await coreWorld();
  const alice = ircUser('alice', 'alice');
  w.irc.type('#infra', alice, `!incident gate${NEL}is${CSI}31m failing`);
  w.irc.type('#infra', alice, `!ack x${CSI}2J`);
  w.irc.type('#infra', alice, `#status alrt ${CSI}2Jwipe`);
  await w.settle();
  w.irc.type('#infra', alice, `!resolved 1 fixed${CSI}0m it${NEL}`);
  await w.settle();
  const said = w.all();
  assert.ok(said.length >= 4);
  for (const line of said) assert.doesNotMatch(line, CONTROL, JSON.stringify(line));
  assert.ok(
    said.includes(
      '#infra: Incident #1 declared by alice: gate is31m failing — take it with !ack 1, close it with !resolved 1 <note> · play book: https://example.org/playbook',
    ),
  );
  assert.ok(said.some((line) => line.includes('resolved by alice after 0 s: fixed0m it')));
  assert.equal(w.firebell.service.get(1)?.context.summary, 'gate is31m failing', 'stored clean too');
});

test('a display name with C1 controls is not echoed with them, on any network', async () => {
  const w = await coreWorld();
  w.matrix.type('#infra:example.org', matrixUser('@eve:example.org', `Eve${CSI}2J${NEL}`), '!incidents');
  await w.settle();
  for (const message of [...w.irc.sent, ...w.matrix.sent, ...w.shell.sent]) {
    assert.doesNotMatch(renderIrc(message.body), /[\u007f-\u009f]/);
    const { body, formatted_body } = renderMatrixHtml(message.body);
    assert.doesNotMatch(body, CONTROL);
    assert.doesNotMatch(formatted_body, CONTROL);
    assert.doesNotMatch(renderShellText(message.body, false), CONTROL);
  }
});

test('every renderer drops every C0 and C1 control, whatever the text', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (value, name) => {
      const body = rich(text(value), ' ', mention({ name, irc: { nick: 'n' } }));
      assert.doesNotMatch(
        renderIrc(body).replace(/[\x02\x03\x0f\x11\x16\x1d\x1e\x1f\n]/g, ''),
        /[\u0000-\u001f\u007f-\u009f]/,
      );
      assert.doesNotMatch(renderMatrixHtml(body).body, CONTROL);
      assert.doesNotMatch(renderMatrixHtml(body).formatted_body, CONTROL);
      assert.doesNotMatch(renderShellText(body, false).replace(/\n/g, ''), /[\u0000-\u001f\u007f-\u009f]/);
      assert.doesNotMatch(cleanChatLine(value), /[\u0000-\u001f\u007f-\u009f]/);
      assert.ok(toPlainText(body).length >= 0);
    }),
  );
});
