import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rich } from '../../../src/core/rich-text.js';
import { messageContent } from '../../../src/networks/matrix/content.js';
import { mergeRelayed } from '../../../src/networks/matrix/relay-merge.js';

const relayed = (text: string, style: 'message' | 'notice' | 'emote' = 'message', replyTo?: string) =>
  messageContent({ body: rich(text), style, relayed: true, ...(replyTo === undefined ? {} : { replyTo }) });

test('relayed lines merge in order, each keeping its attribution, with every mention', () => {
  const first = relayed('<bob> is the gate ok?');
  const second = {
    ...relayed('<carol> @alice:example.org look'),
    'm.mentions': { user_ids: ['@alice:example.org'] },
  };
  const merged = mergeRelayed(first, second);
  assert.equal(merged?.body, '<bob> is the gate ok?\n<carol> @alice:example.org look');
  assert.equal(
    merged?.formatted_body,
    '&lt;bob&gt; is the gate ok?<br>&lt;carol&gt; @alice:example.org look',
  );
  assert.deepEqual(merged?.['m.mentions'], { user_ids: ['@alice:example.org'] });
  assert.equal(merged?.['org.firebell.relayed'], true);
  assert.equal(merged?.msgtype, 'm.text');
});

test('what must keep its own event does not merge', () => {
  const line = relayed('<bob> hi');
  assert.equal(mergeRelayed(line, relayed('bob waves', 'emote')), undefined, 'an emote');
  assert.equal(mergeRelayed(line, relayed('* bob joined', 'notice')), undefined, 'another kind');
  assert.equal(mergeRelayed(line, relayed('<carol> yes', 'message', '$original')), undefined, 'a reply');
  const own = messageContent({ body: rich('Incident #7 declared'), style: 'notice' });
  assert.equal(mergeRelayed(own, own), undefined, "firebell's own words");
  const long = relayed(`<bob> ${'x'.repeat(20_000)}`);
  assert.equal(mergeRelayed(long, long), undefined, 'past the size limit');
  assert.ok(mergeRelayed(long, line));
});
