/** The IRC network as the benchmarks configure it: a local server, the sample config's default pacing. */
import type { IrcNetworkConfig } from '../src/config/schema.js';
import { DEFAULT_IRC_PACING } from '../src/config/schema.js';

export function benchIrcConfig(
  server: { readonly host: string; readonly port: number },
  nick: string,
  options: { readonly trustNicksWithoutServices?: boolean } = {},
): IrcNetworkConfig {
  return {
    id: 'bench',
    kind: 'irc',
    host: server.host,
    port: server.port,
    tls: false,
    tlsRejectUnauthorized: true,
    nick,
    altNicks: [],
    username: 'firebell',
    channelKeys: {},
    pacing: { ...DEFAULT_IRC_PACING },
    trustNicksWithoutServices: options.trustNicksWithoutServices ?? false,
    pingTimeoutSeconds: 120,
  };
}
