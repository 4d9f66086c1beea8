/**
 * Who sent an IRC message, as far as services vouch for it. Only a services account ever counts: from the
 * account-tag on the message (when the server ACKed the cap), from extended-join / account-notify, or from a
 * WHOX/WHOIS lookup, cached per nick and forgotten on NICK, QUIT, leaving our last shared channel and account
 * changes. A nick alone identifies nobody, except on a network without any services when the config
 * explicitly says to trust nicks there.
 */
import type { Clock } from '../../core/clock.js';
import type { Sender } from '../../core/messages.js';

/** A services account, `null` when the user is known not to be logged in. */
export type AccountState = string | null;

/** A lookup answers `undefined` when it could not find out (timeout, connection lost). */
export type AccountLookup = (nick: string) => Promise<AccountState | undefined>;

interface CacheEntry {
  readonly account: AccountState;
  /** Absent: valid until invalidated by an event (account-notify keeps it current). */
  readonly expiresAt: number | undefined;
}

export interface AccountCacheOptions {
  readonly clock: Clock;
  /** The network's case folding (rfc1459 by default). */
  readonly fold: (nick: string) => string;
  /** How long an entry lives when no event would tell us it changed. */
  readonly ttlMs: number;
  readonly lookup: AccountLookup;
}

export class AccountCache {
  private readonly entries = new Map<string, CacheEntry>();
  /** Bumped on every invalidation, so a lookup that raced a nick change is not trusted. */
  private readonly generations = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<AccountState | undefined>>();

  constructor(private readonly options: AccountCacheOptions) {}

  /** What services told us about `nick`; `durable` when account-notify will report changes. */
  remember(nick: string, account: AccountState, durable: boolean): void {
    const key = this.options.fold(nick);
    this.entries.set(key, {
      account,
      expiresAt: durable ? undefined : this.options.clock.now() + this.options.ttlMs,
    });
  }

  /** The cached state, `undefined` when unknown or expired. */
  get(nick: string): AccountState | undefined {
    const key = this.options.fold(nick);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.options.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.account;
  }

  forget(nick: string): void {
    const key = this.options.fold(nick);
    this.entries.delete(key);
    this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** The connection ended: nothing we knew is current any more. */
  clear(): void {
    for (const key of this.entries.keys()) this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
    this.entries.clear();
    for (const key of this.inFlight.keys()) this.generations.set(key, (this.generations.get(key) ?? 0) + 1);
  }

  /** The account of `nick`: at once when cached, else by a lookup (one at a time per nick). */
  resolve(nick: string): AccountState | undefined | Promise<AccountState | undefined> {
    const cached = this.get(nick);
    if (cached !== undefined) return cached;
    const key = this.options.fold(nick);
    const running = this.inFlight.get(key);
    if (running) return running;
    const generation = this.generations.get(key) ?? 0;
    const lookup = this.options
      .lookup(nick)
      .catch(() => undefined)
      .then((account) => {
        this.inFlight.delete(key);
        // The nick changed hands while we asked: the answer may describe someone else.
        if ((this.generations.get(key) ?? 0) !== generation) return undefined;
        if (account !== undefined) this.remember(nick, account, false);
        return account;
      });
    this.inFlight.set(key, lookup);
    return lookup;
  }
}

export interface IdentityFacts {
  readonly nick: string;
  /** What services said: an account, null (not logged in) or undefined (could not find out). */
  readonly account: AccountState | undefined;
  /** false only when the network visibly has no services (no account caps, no NickServ). */
  readonly servicesPresent: boolean;
  readonly trustNicksWithoutServices: boolean;
}

/** The Sender the core sees. Never a bare nick as identity, unless the config allows it on a network without services. */
export function senderFor(facts: IdentityFacts): Sender {
  const base = { id: facts.nick, name: facts.nick };
  if (typeof facts.account === 'string' && facts.account !== '')
    return { ...base, account: facts.account, verification: 'services' };
  if (!facts.servicesPresent && facts.trustNicksWithoutServices)
    return { ...base, account: facts.nick, verification: 'nick-fallback' };
  return {
    ...base,
    verification: 'none',
    unverified: facts.servicesPresent ? 'not-identified' : 'no-services',
  };
}

/**
 * Delivers values in arrival order per key (conversation), even when some of them wait for a lookup. With
 * nothing pending and a value at hand, delivery is synchronous.
 */
export class OrderedDelivery {
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  run<T>(key: string, value: T | Promise<T>, deliver: (value: T) => void): void {
    const tail = this.tails.get(key);
    if (!tail && !(value instanceof Promise)) {
      this.safely(() => deliver(value));
      return;
    }
    const next = (tail ?? Promise.resolve())
      .then(() => value)
      .then(
        (resolved) => this.safely(() => deliver(resolved)),
        (error: unknown) => this.onError(error),
      );
    this.tails.set(key, next);
    void next.finally(() => {
      if (this.tails.get(key) === next) this.tails.delete(key);
    });
  }

  private safely(action: () => void): void {
    try {
      action();
    } catch (error) {
      this.onError(error);
    }
  }
}
