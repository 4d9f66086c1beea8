/**
 * The real core on one network, as a benchmark runs it: a Firebell (router, command handlers, incident
 * service, the journal and the durable outbox on a SQLite file with the production durability: WAL,
 * synchronous=FULL) started as src/app.ts starts it, so a command's reply includes every fsync a user's
 * firebell waits for: the commit that stores the reply before it is sent, and what the adapter stores in
 * the same store before it hands a command over (the Matrix adapter's state is the store's key-value part,
 * as in src/app.ts). Network benchmarks measure the bot's overhead with this, not with a stand-in.
 */
import type { Contact } from '../src/config/config.js';
import type { ChatNetwork } from '../src/core/network.js';
import { systemClock } from '../src/core/clock.js';
import type { DurableState } from '../src/core/durable-state.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { benchConfig } from './incidents-setup.js';

/**
 * `conversations`: the channels or rooms of the benchmark's group on that network. `contacts`: who is on
 * the team, as contacts.yaml would list them: a command's round trip is measured for an operator, whose
 * answers are never held back as a stranger's are after a handful (src/core/commands/stranger-replies.ts).
 */
export function coreOnNetwork(
  network: ChatNetwork,
  durable: DurableState,
  conversations: readonly string[],
  contacts: readonly Contact[] = [],
): Firebell {
  return new Firebell({
    config: {
      ...benchConfig,
      contacts,
      groups: [
        {
          id: 'bench',
          members: conversations.map((conversation) => ({
            network: network.id,
            conversation,
            topic: true,
            status: true,
          })),
          relay: false,
          relayJoinsAndParts: false,
        },
      ],
    },
    durable,
    networks: [network],
    clock: systemClock,
    logger: silentLogger,
  });
}
