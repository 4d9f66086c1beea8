/**
 * Names compared the way their network compares them, in one place. IRC nicks and channels fold by the
 * server's ISUPPORT CASEMAPPING: `ascii` folds A-Z; `strict-rfc1459` also folds `[]\` to `{}|`; `rfc1459`
 * (the default when a server names none, RFC 2812) also folds `^` to `~`, as servers implement it. Folding keeps the length, so
 * match positions in a folded text are positions in the original. Matrix ids are case-sensitive except for
 * the server name (a DNS name): `@Ana:Example.org` is `@Ana:example.org`, not `@ana:example.org`.
 */
import type { NetworkKind } from './messages.js';

export type CaseMapping = 'ascii' | 'strict-rfc1459' | 'rfc1459';
export type CaseFold = (value: string) => string;

/** The mapping an ISUPPORT CASEMAPPING value names; rfc1459 when absent or unknown (the RFC default). */
export function caseMappingNamed(token: unknown): CaseMapping {
  return token === 'ascii' || token === 'strict-rfc1459' ? token : 'rfc1459';
}

const UPPER_BOUND: Readonly<Record<CaseMapping, number>> = {
  ascii: 0x5a, // A-Z
  'strict-rfc1459': 0x5d, // A-Z [ \ ]
  rfc1459: 0x5e, // A-Z [ \ ] ^
};

function makeFold(mapping: CaseMapping): CaseFold {
  const upperBound = UPPER_BOUND[mapping];
  return (value) => {
    let out = '';
    for (let i = 0; i < value.length; i += 1) {
      const code = value.charCodeAt(i);
      out += code >= 0x41 && code <= upperBound ? String.fromCharCode(code + 0x20) : value[i];
    }
    return out;
  };
}

const FOLDS: Readonly<Record<CaseMapping, CaseFold>> = {
  ascii: makeFold('ascii'),
  'strict-rfc1459': makeFold('strict-rfc1459'),
  rfc1459: makeFold('rfc1459'),
};

/** The fold of an IRC case mapping. */
export function ircCaseFold(mapping: CaseMapping = 'rfc1459'): CaseFold {
  return FOLDS[mapping];
}

/** RFC 1459 folding: the default, and what services use for account names. */
export const ircFold: CaseFold = FOLDS.rfc1459;

/** A Matrix user id, room id or alias as compared: the server name in lower case, the rest as written. */
export function matrixIdKey(id: string): string {
  const trimmed = id.trim();
  const colon = trimmed.indexOf(':');
  return colon === -1 ? trimmed : trimmed.slice(0, colon + 1) + trimmed.slice(colon + 1).toLowerCase();
}

/** How a name (nick, channel, room, user id) on a network of this kind is compared. */
export function nameKeyFor(kind: NetworkKind | undefined, mapping?: CaseMapping): CaseFold {
  if (kind === 'matrix') return matrixIdKey;
  // The shell names its conversations like IRC channels; an unknown network is taken for IRC.
  return ircCaseFold(mapping);
}

/** What the core needs to know of a network to compare its names. */
export interface NamedNetwork {
  readonly kind: NetworkKind;
  /** The case mapping the server announced (IRC); rfc1459 until it did. */
  caseMapping?(): CaseMapping;
}

/**
 * Name comparison per network, with the case mapping each IRC server announced (asked each time: it is
 * known only once connected, and a reconnect may land on a server that says otherwise).
 */
export class NetworkNames {
  constructor(private readonly networks: ReadonlyMap<string, NamedNetwork> = new Map()) {}

  /** The key a name is compared by on `network`. */
  key(network: string, name: string): string {
    const known = this.networks.get(network);
    // Without the network at hand (a core built for a test): a Matrix id has a server name after a colon.
    const kind = known?.kind ?? (name.includes(':') ? 'matrix' : 'irc');
    return nameKeyFor(kind, known?.caseMapping?.())(name);
  }

  same(network: string, a: string, b: string): boolean {
    return a === b || this.key(network, a) === this.key(network, b);
  }

  /** How IRC text from `network` folds (for nicks inside it): its server's mapping, rfc1459 until known. */
  ircFold(network: string): CaseFold {
    return ircCaseFold(this.networks.get(network)?.caseMapping?.());
  }
}
