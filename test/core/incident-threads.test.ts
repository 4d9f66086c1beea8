/**
 * The core's decisions about incident threads and announcement edits, on the durable outbox with a held
 * channel and the simulated clock: which messages are threaded (Speaker), what a follow-up waits for
 * (IncidentThreads), what an edit targets, and that the announcement's event id is found again after a
 * restart from the outbox's receipts in the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import type { Delivery, DeliveryChannel, DeliveryOutcome } from '../../src/core/delivery.js';
import { Groups } from '../../src/core/groups.js';
import { IncidentThreads, THREADS_REMEMBERED } from '../../src/core/incident-threads.js';
import { silentLogger } from '../../src/core/logger.js';
import { DurableOutbox, Speaker } from '../../src/core/outbox.js';
import { rich } from '../../src/core/rich-text.js';
import type { Group } from '../../src/core/settings.js';
import { openDurable, TestStore } from '../support/test-store.js';

class HeldChannel implements DeliveryChannel {
  readonly given: Array<{ delivery: Delivery; settle: (outcome: DeliveryOutcome) => void }> = [];
  constructor(readonly id: string) {}
  deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    return new Promise((settle) => this.given.push({ delivery, settle }));
  }
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const member = (network: string, conversation: string) => ({
  network,
  conversation,
  topic: true,
  status: true,
});

async function setUp(options: { matrixThreads?: boolean; store?: TestStore; waitMs?: number } = {}) {
  const store = options.store ?? new TestStore();
  const clock = new SimulatedClock();
  clock.set(5_000);
  const durable = await openDurable(store, clock);
  const matrix = new HeldChannel('matrix');
  const irc = new HeldChannel('libera');
  const threads = new IncidentThreads(clock, options.waitMs);
  const outbox = new DurableOutbox({
    channels: new Map<string, DeliveryChannel>([
      ['matrix', matrix],
      ['libera', irc],
    ]),
    journal: durable.journal,
    clock,
    logger: silentLogger,
    threads,
  });
  const group: Group = {
    id: 'infra',
    members: [member('libera', '#infra'), member('matrix', '#infra:example.org')],
    relay: false,
    relayJoinsAndParts: false,
    ...(options.matrixThreads === undefined ? {} : { matrixThreads: options.matrixThreads }),
  };
  const speaker = new Speaker(outbox, new Groups([group]), (network) => network === 'matrix');
  // Outbox rows name their incident: #7 exists (open) in the store.
  if (!options.store) durable.journal.record({ transitions: [openIncident(7)] });
  /** Lets the journal commit what was recorded, and the outbox hand it over. */
  const settle = async (): Promise<void> => {
    await durable.journal.barrier();
    await tick();
  };
  return { store, clock, durable, matrix, irc, threads, outbox, speaker, settle };
}

function openIncident(incidentId: number) {
  return {
    incidentId,
    group: 'infra',
    summary: 'the gate',
    phase: 'announced' as const,
    open: true,
    snapshot: { status: 'active', value: 'announced', context: { id: incidentId, timeline: [] } },
    at: 5_000,
    timeline: { from: 0, entries: [] },
    effects: [],
  };
}

const announce = { priority: 'normal', purpose: 'announce', incidentId: 7, incidentThread: 'root' } as const;
const followUp = { priority: 'urgent', purpose: 'page', incidentId: 7, incidentThread: 'follow-up' } as const;
const delivered = (eventId: string): DeliveryOutcome => ({
  status: 'delivered',
  at: 5_000,
  receipt: [eventId],
});
const messageOf = (delivery: Delivery | undefined) =>
  delivery?.content.kind === 'message' ? delivery.content.message : undefined;

test('a follow-up waits for its announcement and goes into its thread; IRC gets the same words, unthreaded', async () => {
  const { matrix, irc, speaker, settle } = await setUp();
  speaker.toGroup('infra', rich('Incident #7 declared'), announce);
  speaker.toGroup('infra', rich('paging you for incident #7'), followUp);
  await settle();
  assert.equal(matrix.given.length, 1, 'the page waits for the announcement in the Matrix room');
  assert.equal(irc.given.length, 2, 'IRC is not held back');
  assert.equal(messageOf(irc.given[0]?.delivery)?.incidentThread, undefined, 'IRC messages carry no thread');
  assert.equal(messageOf(irc.given[1]?.delivery)?.threadRoot, undefined);

  matrix.given[0]?.settle(delivered('$announcement'));
  await settle();
  assert.equal(matrix.given.length, 2);
  const page = messageOf(matrix.given[1]?.delivery);
  assert.equal(page?.threadRoot, '$announcement');
  assert.equal(page?.threadLatest, '$announcement', 'the fallback points at the root: nothing else yet');

  matrix.given[1]?.settle(delivered('$page'));
  await settle();
  speaker.toGroup('infra', rich('Incident #7 acknowledged by Ana'), followUp);
  await settle();
  const ack = messageOf(matrix.given[2]?.delivery);
  assert.equal(ack?.threadRoot, '$announcement', 'known now: no wait');
  assert.equal(ack?.threadLatest, '$page', 'the fallback points at the latest event of the thread');
});

test('a group with matrixThreads: false keeps follow-ups out of threads, but its announcements are still edited', async () => {
  const { matrix, speaker, settle } = await setUp({ matrixThreads: false });
  speaker.toGroup('infra', rich('Incident #7 declared'), announce);
  speaker.toGroup('infra', rich('paging you for incident #7'), followUp);
  await settle();
  assert.equal(matrix.given.length, 2, 'nothing waits');
  assert.equal(messageOf(matrix.given[1]?.delivery)?.incidentThread, undefined);
  matrix.given[0]?.settle(delivered('$announcement'));
  await settle();
  speaker.editAnnouncement('infra', 7, () => rich('Incident #7 declared — acknowledged by Ana'));
  await settle();
  const edit = matrix.given[2]?.delivery.content;
  assert.equal(edit?.kind, 'edit');
  assert.equal(edit?.kind === 'edit' ? edit.target : undefined, '$announcement');
});

test('an edit goes only to networks that can edit, and is refused cleanly when no announcement is known', async () => {
  const { matrix, irc, speaker, outbox, settle } = await setUp();
  speaker.editAnnouncement('infra', 7, () => rich('Incident #7 declared — resolved'));
  await settle();
  assert.equal(irc.given.length, 0, 'IRC is not asked to edit');
  assert.equal(matrix.given.length, 0, 'nothing to edit: refused before the network');
  const refusal = outbox.editAnnouncement('matrix', '#infra:example.org', 7, rich('x'));
  await settle();
  const outcome = await refusal;
  assert.equal(outcome.status, 'refused');
  assert.match(outcome.status === 'refused' ? outcome.reason : '', /no announcement of incident #7 is known/);
});

test('an announcement that never gets an outcome holds its follow-ups only so long (injected clock)', async () => {
  const { matrix, clock, speaker, settle } = await setUp({ waitMs: 1_000 });
  speaker.toGroup('infra', rich('Incident #7 declared'), announce);
  speaker.toGroup('infra', rich('paging you for incident #7'), followUp);
  await settle();
  clock.increment(999);
  await settle();
  assert.equal(matrix.given.length, 1, 'still waiting at 999 ms');
  clock.increment(1);
  await settle();
  assert.equal(matrix.given.length, 2, 'sent at 1000 ms');
  assert.equal(messageOf(matrix.given[1]?.delivery)?.threadRoot, undefined, 'unthreaded: its text names #7');
});

test('after a restart the announcement is found again from the stored receipt: edits and threads still work', async () => {
  const store = new TestStore();
  const first = await setUp({ store });
  first.durable.journal.record({ transitions: [openIncident(7)] });
  first.speaker.toGroup('infra', rich('Incident #7 declared'), announce);
  await first.settle();
  first.matrix.given[0]?.settle(delivered('$announcement'));
  await first.settle();
  await first.durable.journal.barrier();

  const second = await setUp({ store });
  second.threads.load(second.durable.takeLoaded().announcements);
  assert.equal(second.threads.incidentOf('matrix', '$announcement'), 7, 'a command in its thread finds #7');
  second.speaker.editAnnouncement('infra', 7, () => rich('Incident #7 declared — acknowledged by Ana'));
  second.speaker.toGroup('infra', rich('Incident #7 acknowledged by Ana'), followUp);
  await second.settle();
  const [edit, ack] = second.matrix.given.map((given) => given.delivery.content);
  assert.equal(edit?.kind === 'edit' ? edit.target : undefined, '$announcement');
  assert.equal(ack?.kind === 'message' ? ack.message.threadRoot : undefined, '$announcement');
});

test('the memory is bounded: the oldest places are forgotten first, the newest kept', () => {
  const threads = new IncidentThreads(new SimulatedClock());
  const count = THREADS_REMEMBERED + 5;
  threads.load(
    Array.from({ length: count }, (_, i) => ({
      incidentId: i + 1,
      channel: 'matrix',
      conversation: '!room',
      eventId: `$a${i + 1}`,
    })),
  );
  assert.equal(threads.incidentOf('matrix', '$a1'), undefined, 'the oldest is forgotten');
  assert.equal(threads.placeOf('matrix', '!room', 1), undefined);
  assert.equal(threads.incidentOf('matrix', `$a${count}`), count);
  assert.deepEqual(threads.placeOf('matrix', '!room', count), { root: `$a${count}`, latest: `$a${count}` });
});
