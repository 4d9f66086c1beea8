/**
 * The delay before the ways off chat is stored: a restart during it neither drops the delayed push nor
 * sends it twice, and one that falls due while firebell is away goes at once when it is back (if nobody
 * acknowledged meanwhile). On the simulated clock, with a channel that records what it is handed.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Contact } from '../../../src/config/config.js';
import { delivered, type Delivery, type DeliveryOutcome } from '../../../src/core/delivery.js';
import type { OffChatChannel } from '../../../src/core/offchat/wiring.js';
import { contacts, testConfig } from '../../support/config-fixture.js';
import { coreWorld, MIN, stopWorlds, T0, type CoreWorld } from '../../support/core-world.js';
import { ircUser } from '../../support/fake-network.js';
import { TestStore } from '../../support/test-store.js';

afterEach(stopWorlds);

/** An ntfy channel that takes every push and remembers it. */
class RecordingPush implements OffChatChannel {
  readonly id = 'ntfy' as const;
  readonly pushed: Delivery[] = [];
  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    this.pushed.push(delivery);
    return Promise.resolve(delivered(T0));
  }
  /** Records every page handed to it, wanted or not: what the pager itself sends is what is tested. */
  deliverWhile(delivery: Delivery): Promise<DeliveryOutcome> {
    return this.deliver(delivery);
  }
  stop(): void {}
}

const ana: Contact = {
  ...contacts[0]!,
  ntfy: { server: 'https://ntfy.example.org', topic: 'ana-pages' },
  offChat: { pages: ['ntfy'], reminders: [], afterMinutes: 3 },
};
const config = testConfig({ contacts: [ana, ...contacts.slice(1)] });

/** Declared at T0; tier 1 (Ana) is paged in chat at minute 5, her phone is due at minute 8. */
async function declared(store: TestStore, push: RecordingPush): Promise<CoreWorld> {
  const w = await coreWorld({ config, store, offChat: [push] });
  w.irc.type('#infra', ircUser('alice', 'alice'), '!incident database down');
  await w.at(6);
  assert.equal(push.pushed.length, 0, 'chat first');
  await w.firebell.stop();
  return w;
}

test('a restart during the delay: the push goes when it falls due, once', async () => {
  const store = new TestStore();
  const first = new RecordingPush();
  await declared(store, first);
  const again = new RecordingPush();
  const w = await coreWorld({ config, store, startAt: T0 + 7 * MIN, offChat: [again] });
  await w.at(7);
  assert.equal(again.pushed.length, 0, 'not before it is due');
  await w.at(8);
  assert.equal(again.pushed.length, 1, 'due at minute 8, as before the restart');
  await w.firebell.stop();
  const third = new RecordingPush();
  const w3 = await coreWorld({ config, store, startAt: T0 + 9 * MIN, offChat: [third] });
  await w3.at(12);
  assert.equal(
    third.pushed.filter((d) => d.content.kind === 'offchat' && d.content.page.kind === 'page').length,
    0,
    'not again after another restart',
  );
  assert.equal(first.pushed.length, 0);
});

test('due while firebell was away: sent at once when it is back; acknowledged meanwhile: not at all', async () => {
  const store = new TestStore();
  await declared(store, new RecordingPush());
  const late = new RecordingPush();
  const w = await coreWorld({ config, store, startAt: T0 + 11 * MIN, offChat: [late] });
  await w.at(12);
  assert.equal(late.pushed.length, 1, 'overdue: sent in the first minute back');

  const quietStore = new TestStore();
  await declared(quietStore, new RecordingPush());
  const quiet = new RecordingPush();
  const back = await coreWorld({ config, store: quietStore, startAt: T0 + 7 * MIN, offChat: [quiet] });
  back.irc.type('#infra', ircUser('ana', 'ana'), '!ack 1');
  await back.at(9);
  assert.equal(
    quiet.pushed.filter((d) => d.content.kind === 'offchat' && d.content.page.kind === 'page').length,
    0,
  );
});
