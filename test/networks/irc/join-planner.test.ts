import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ircCaseFold } from '../../../src/core/casemapping.js';
import { JoinPlanner, joinTargetLimit } from '../../../src/networks/irc/join-planner.js';

test('TARGMAX: the JOIN limit when the server gives one', () => {
  assert.equal(joinTargetLimit('NAMES:1,LIST:1,JOIN:5,PRIVMSG:4'), 5);
  assert.equal(joinTargetLimit('JOIN:,PRIVMSG:4'), undefined, 'no limit given');
  assert.equal(joinTargetLimit('PRIVMSG:4'), undefined);
  assert.equal(joinTargetLimit(undefined), undefined);
});

test('as many channels as the server allows in one JOIN, keys lined up, every channel once', () => {
  let limit: number | undefined = 3;
  const planner = new JoinPlanner(
    () => ircCaseFold('rfc1459'),
    () => limit,
  );
  planner.want('#a', undefined);
  planner.want('#b', 'kb');
  planner.want('#c', undefined);
  planner.want('#d', 'kd');
  planner.want('#A', undefined); // the same channel
  const first = planner.next(() => undefined);
  assert.deepEqual(first?.line, { line: 'JOIN #b,#a,#c kb', cost: 2 });
  assert.equal(first?.lane, 'bulk');
  first?.take();
  limit = undefined;
  const second = planner.next(() => undefined);
  assert.equal(second?.line.line, 'JOIN #d kd');
  second?.take();
  assert.equal(
    planner.next(() => undefined),
    undefined,
  );
});

test('the channels a waiting line needs go first, in the most urgent lane that waits', () => {
  const planner = new JoinPlanner(
    () => ircCaseFold('rfc1459'),
    () => 1,
  );
  for (const channel of ['#one', '#two', '#three']) planner.want(channel, undefined);
  const waiting = new Map([
    ['#three', 'urgent' as const],
    ['#two', 'normal' as const],
  ]);
  const order: string[] = [];
  for (
    let offer = planner.next((key) => waiting.get(key));
    offer;
    offer = planner.next((key) => waiting.get(key))
  ) {
    order.push(`${offer.line.line} (${offer.lane})`);
    offer.take();
  }
  assert.deepEqual(order, ['JOIN #three (urgent)', 'JOIN #two (normal)', 'JOIN #one (bulk)']);
});

test('a line never passes 510 bytes, however many channels wait', () => {
  const planner = new JoinPlanner(
    () => ircCaseFold('rfc1459'),
    () => undefined,
  );
  for (let index = 0; index < 300; index += 1)
    planner.want(`#a-rather-long-channel-name-${index}`, undefined);
  let lines = 0;
  let channels = 0;
  for (let offer = planner.next(() => undefined); offer; offer = planner.next(() => undefined)) {
    assert.ok(Buffer.byteLength(offer.line.line) <= 510);
    channels += (offer.line.line.split(' ')[1] ?? '').split(',').length;
    lines += 1;
    offer.take();
  }
  assert.equal(channels, 300);
  assert.ok(lines <= 20, `${lines} lines`);
});
