/**
 * The bridge's own cost, in process: from `relay(message)` to the outbound message handed to the outbox,
 * for ordinary chat both ways, with the groups, directory and contacts of the test config. IRC → Matrix is
 * timed without the coalescing hold (100 ms of waiting for more lines, by design): the time spent in
 * `relay` plus the time spent sending the batch when the hold ends. The figure is what the bridge adds to
 * a relay hop when every queue is empty.
 */
import { performance } from 'node:perf_hooks';
import { SimulatedClock } from 'xstate';
import { Bridge } from '../src/core/bridge/bridge.js';

import { Directory } from '../src/core/directory.js';
import { Groups } from '../src/core/groups.js';
import { silentLogger } from '../src/core/logger.js';
import type { InboundMessage, OutboundMessage } from '../src/core/messages.js';
import { matrixHtmlToRich } from '../src/core/format/matrix-html-to-rich.js';
import { testConfig } from '../test/support/config-fixture.js';
import { infraGroup, IRC_ROOM, MATRIX_ROOM } from '../test/core/bridge/world.js';
import { RecordingOutbox } from '../test/support/recording-outbox.js';

export interface CoreCost {
  readonly ircToMatrix: number[];
  readonly matrixToIrc: number[];
}

const HTML =
  '<b>mirror</b> in <code>dfw</code> is <font data-mx-color="#ff0000">down</font>, see <a href="https://example.org/x">x</a>';

export function measureBridgeCore(rounds: number, warmup: number): CoreCost {
  const config = testConfig({ groups: [infraGroup] });
  const clock = new SimulatedClock();
  clock.set(Date.UTC(2026, 10, 25, 15, 0));
  let sentAt = 0;
  const sent: OutboundMessage[] = [];
  const bridge = new Bridge({
    groups: new Groups(config.groups),
    directory: new Directory(
      config.contacts,
      config.whitelist,
      new Map([
        ['libera', 'irc'],
        ['matrix', 'matrix'],
      ]),
    ),
    outbox: new RecordingOutbox(undefined, (message) => {
      sentAt = performance.now();
      sent.push(message);
    }),
    clock,
    logger: silentLogger,
    config: config.bridge,
    botName: 'firebell',
    publicUrl: 'https://firebell.example.org',
    // Never asked for here: the relayed lines are short.
    longMessages: {
      save: () => {
        throw new Error('the bridge benchmark saved a long message');
      },
      load: () => Promise.resolve(undefined),
    },
    runCommand: () => undefined,
  });
  const message = (network: string, conversation: string, round: number): InboundMessage => ({
    conversation: { network, id: conversation, direct: false },
    sender:
      network === 'libera'
        ? { id: 'alice', name: 'alice', account: 'alice', verification: 'services' }
        : { id: '@ana:example.org', name: 'Ana', account: '@ana:example.org', verification: 'homeserver' },
    text: `ana: round ${round}, the mirror in dfw is down again`,
    ...(network === 'matrix' ? { rich: matrixHtmlToRich(`${HTML} (${round})`) } : {}),
    style: 'message',
    at: clock.now(),
    messageId: `${network}-${round}`,
  });
  const cost: CoreCost = { ircToMatrix: [], matrixToIrc: [] };
  for (let round = 0; round < warmup + rounds; round += 1) {
    const ircStart = performance.now();
    bridge.relay(message('libera', IRC_ROOM, round));
    const held = performance.now() - ircStart;
    const flushStart = performance.now();
    clock.set(clock.now() + 100);
    const flushed = sentAt - flushStart;
    const matrixStart = performance.now();
    bridge.relay(message('matrix', MATRIX_ROOM, round));
    const matrixCost = sentAt - matrixStart;
    if (round >= warmup) {
      cost.ircToMatrix.push(held + flushed);
      cost.matrixToIrc.push(matrixCost);
    }
    clock.set(clock.now() + 1000);
  }
  bridge.stop();
  if (sent.length !== 2 * (warmup + rounds))
    throw new Error(`expected every message relayed, got ${sent.length}`);
  return cost;
}
