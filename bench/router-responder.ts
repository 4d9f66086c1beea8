/**
 * The real core as a benchmark's responder: a Firebell (router, command handlers, incident service on an
 * in-memory SQLite store) answering through the very network that received the command. Network
 * benchmarks measure the bot's overhead with this, not with a stand-in.
 */
import type { ChatNetwork } from '../src/core/network.js';
import type { InboundMessage } from '../src/core/messages.js';
import { systemClock } from '../src/core/clock.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { openSqliteStores } from '../src/store/sqlite-store.js';
import { benchConfig } from './incidents-setup.js';

export type NetworkResponder<N extends ChatNetwork> = (message: InboundMessage, network: N) => void;

/** `conversations`: the channels or rooms of the benchmark's group on that network. */
export function routerResponder<N extends ChatNetwork>(
  conversations: readonly string[],
): NetworkResponder<N> {
  let firebell: Firebell | undefined;
  return (message, network) => {
    firebell ??= new Firebell({
      config: {
        ...benchConfig,
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
      store: openSqliteStores(':memory:').incidents,
      networks: [network],
      clock: systemClock,
      logger: silentLogger,
    });
    void firebell.router.handleMessage(message);
  };
}
