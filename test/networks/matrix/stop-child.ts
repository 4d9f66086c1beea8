/**
 * A firebell Matrix adapter alone in a process, for the stop test: it connects with the default timings
 * (a 30 s /sync long-poll), prints "ready", queues `argv[5]` messages if asked, prints "queued", and on
 * SIGTERM stops the adapter and prints each delivery's outcome as JSON. It never calls process.exit: the
 * process ends when nothing is left running, which is what the test measures.
 */
import { systemClock } from '../../../src/core/clock.js';
import type { DeliveryOutcome } from '../../../src/core/delivery.js';
import { silentLogger } from '../../../src/core/logger.js';
import { rich } from '../../../src/core/rich-text.js';
import { MatrixNetwork } from '../../../src/networks/matrix/matrix-network.js';
import { MemoryKeyValueStore } from '../../support/memory-kv.js';

const [homeserver, userId, accessToken, room, queuedArg] = process.argv.slice(2);
const network = new MatrixNetwork(
  {
    id: 'matrix',
    kind: 'matrix',
    homeserver: homeserver as string,
    userId: userId as string,
    accessToken: accessToken as string,
    acceptInvitesFrom: [],
    queueLimit: 1000,
  } as never,
  {
    clock: systemClock,
    logger: silentLogger,
    kv: new MemoryKeyValueStore(),
    rooms: [room as string],
    mayInvite: () => false,
  },
);
await network.start({ message: () => Promise.resolve() });
while (network.connectionState() !== 'connected') await new Promise((resolve) => setTimeout(resolve, 10));
process.stdout.write('ready\n');
const outcomes: Promise<DeliveryOutcome>[] = [];
for (let index = 0; index < Number(queuedArg ?? 0); index += 1)
  outcomes.push(
    network.deliver({
      id: `stop-${index}`,
      channel: 'matrix',
      lane: 'normal',
      content: {
        kind: 'message',
        message: {
          to: { network: 'matrix', conversation: room as string },
          body: rich(`queued ${index}`),
          style: 'notice',
          priority: 'normal',
        },
      },
      durable: true,
      attempts: 0,
      createdAt: systemClock.now(),
    }),
  );
process.stdout.write('queued\n');
process.once('SIGTERM', () => {
  void network.stop().then(async () => {
    const settled = await Promise.all(outcomes);
    process.stdout.write(`${JSON.stringify(settled.map((outcome) => outcome.status))}\n`);
  });
});
