import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LaneQueue } from '../../../src/networks/shared/lane-queue.js';

test('urgent items leave before normal, relay and bulk, FIFO within a lane', () => {
  const queue = new LaneQueue<string>(100);
  queue.push('bulk-1', 'bulk');
  queue.push('relay-1', 'relay');
  queue.push('normal-1', 'normal');
  queue.push('urgent-1', 'urgent');
  queue.push('urgent-2', 'urgent');
  const order: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) order.push(item);
  assert.deepEqual(order, ['urgent-1', 'urgent-2', 'normal-1', 'relay-1', 'bulk-1']);
  assert.equal(queue.size, 0);
});

test('a full queue drops relayed chatter, counted, and never a page', () => {
  const queue = new LaneQueue<string>(3);
  assert.equal(queue.push('relay-1', 'relay'), true);
  assert.equal(queue.push('relay-2', 'relay'), true);
  assert.equal(queue.push('bulk-1', 'bulk'), true);
  assert.equal(queue.push('relay-3', 'relay'), false, 'incoming chatter is dropped when full');
  assert.equal(queue.push('page', 'urgent'), true, 'a page evicts the oldest chatter');
  assert.equal(queue.push('page-2', 'urgent'), true, 'a page is accepted even with no chatter left to evict');
  assert.equal(queue.takeDroppedCount(), 3);
  assert.equal(queue.takeDroppedCount(), 0, 'the count resets once taken');
  const order: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) order.push(item);
  assert.deepEqual(order, ['page', 'page-2', 'bulk-1']);
});

test('unshift puts a failed item back at the head of its lane; removeWhere purges', () => {
  const queue = new LaneQueue<string>(10);
  queue.push('a', 'normal');
  queue.push('b', 'normal');
  const head = queue.shift();
  assert.equal(head, 'a');
  queue.unshift('a', 'normal');
  assert.equal(queue.peek(), 'a');
  assert.deepEqual(
    queue.removeWhere((item) => item === 'b'),
    ['b'],
  );
  assert.equal(queue.size, 1);
});

test('shiftWhere takes the first matching item, most urgent lane first, and leaves the others in place', () => {
  const queue = new LaneQueue<string>(10);
  queue.push('urgent #a', 'urgent');
  queue.push('normal #b', 'normal');
  queue.push('urgent #b', 'urgent');
  queue.push('bulk #b', 'bulk');
  assert.equal(
    queue.shiftWhere((item) => item.endsWith('#b')),
    'urgent #b',
  );
  assert.equal(
    queue.shiftWhere((item) => item.endsWith('#c')),
    undefined,
  );
  assert.equal(queue.size, 3);
  const order: string[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) order.push(item);
  assert.deepEqual(order, ['urgent #a', 'normal #b', 'bulk #b']);
});
