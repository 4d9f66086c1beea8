/**
 * The real core as a benchmark's responder: a Firebell (router, command handlers, incident service, the
 * journal and the durable outbox on a SQLite file with the production durability: WAL, synchronous=FULL)
 * answering through the very network that received the command. So a reply's time includes the fsync of
 * the commit that stores it before it is sent. Network benchmarks measure the bot's overhead with this,
 * not with a stand-in.
 */
import type { Contact } from '../src/config/config.js';
import type { ChatNetwork } from '../src/core/network.js';
import type { InboundMessage } from '../src/core/messages.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { openBenchDurable } from './durable-store.js';
import { benchConfig } from './incidents-setup.js';

export type NetworkResponder<N extends ChatNetwork> = (message: InboundMessage, network: N) => void;

/**
 * `conversations`: the channels or rooms of the benchmark's group on that network. `contacts`: who is on
 * the team, as contacts.yaml would list them: a command's round trip is measured for an operator, whose
 * answers are never held back as a stranger's are after a handful (src/core/commands/stranger-replies.ts).
 */
export function routerResponder<N extends ChatNetwork>(
  conversations: readonly string[],
  contacts: readonly Contact[] = [],
): NetworkResponder<N> {
  let firebell: Promise<Firebell> | undefined;
  const open = async (network: N): Promise<Firebell> => {
    const { durable, removeAtExit } = await openBenchDurable();
    removeAtExit();
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
  };
  return (message, network) => {
    firebell ??= open(network);
    void firebell.then((core) => core.router.handleMessage(message));
  };
}
