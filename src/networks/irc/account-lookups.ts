/**
 * Asks the server which services account a nick is logged in to, for networks without account-tag: WHOX
 * (`WHO nick %tna,<token>`, field `a`, '0' when not logged in) where ISUPPORT offers it, else WHOIS
 * (330 RPL_WHOISACCOUNT). irc-framework's who() has no timeout and stalls its queue when the server never
 * ends the list, so these are our own, each with a timeout that answers "unknown".
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { CaseFold } from '../../core/casemapping.js';
import type { HandlerTable } from './line-dispatcher.js';
import type { AccountState } from './sender-identity.js';

export interface LookupHooks {
  /** Sends one protocol line (paced); `written` is called when it went to the socket. */
  send(line: string, cost: number, written: () => void): void;
  /** Whether the server supports WHOX. */
  whox(): boolean;
  fold(): CaseFold;
}

interface PendingLookup {
  readonly nick: string;
  readonly token: string | undefined;
  account: AccountState | undefined;
  readonly resolve: (account: AccountState | undefined) => void;
  timer: unknown;
}

export interface ProtocolLine {
  readonly command: string;
  readonly params: readonly string[];
}

export class AccountLookups {
  private readonly pending: PendingLookup[] = [];
  private counter = 0;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly hooks: LookupHooks,
  ) {}

  lookup(nick: string): Promise<AccountState | undefined> {
    return new Promise((resolve) => {
      const whox = this.hooks.whox();
      // A 3-digit token tells our WHOX replies apart from anyone else's.
      const token = whox ? String(100 + (this.counter++ % 900)) : undefined;
      const entry: PendingLookup = {
        nick: this.hooks.fold()(nick),
        token,
        account: undefined,
        resolve,
        timer: undefined,
      };
      this.pending.push(entry);
      // The timeout counts from the write: a lookup that waited for a token has its full time.
      const written = (): void => {
        if (!this.pending.includes(entry)) return;
        entry.timer = this.clock.setTimeout(() => {
          this.logger.warn(
            { nick },
            `no answer about ${nick}'s services account within ${this.timeoutMs} ms`,
          );
          this.finish(entry, undefined);
        }, this.timeoutMs);
      };
      if (whox) this.hooks.send(`WHO ${nick} %tna,${token}`, 2, written);
      else this.hooks.send(`WHOIS ${nick}`, 2, written);
    });
  }

  /** The replies to our lookups; each is consumed (no other handler sees it) when it was ours. */
  handlers(): HandlerTable {
    const handle = (message: ProtocolLine): boolean => this.handle(message);
    return { '354': handle, '315': handle, '330': handle, '318': handle, '401': handle };
  }

  /** Feeds a reply line; returns true when it belonged to a lookup. */
  handle(line: ProtocolLine): boolean {
    const [, first, second, third] = line.params;
    switch (line.command) {
      case '354': {
        // RPL_WHOSPCRPL for %tna: <me> <token> <nick> <account>
        const entry = this.pending.find(
          (candidate) => candidate.token !== undefined && candidate.token === first,
        );
        if (!entry) return false;
        // A mask that is no present nick matches idents, hosts and real names on servers of the charybdis
        // family (Solanum among them): a reply about someone else says nothing about the nick we asked for.
        if (second === undefined || this.hooks.fold()(second) !== entry.nick) return true;
        entry.account = third === undefined || third === '0' ? null : third;
        return true;
      }
      case '315': // RPL_ENDOFWHO <me> <mask>
        return this.end(first, (entry) => entry.token !== undefined);
      case '330': {
        // RPL_WHOISACCOUNT <me> <nick> <account>
        const entry = this.byNick(first, (candidate) => candidate.token === undefined);
        if (!entry || second === undefined) return false;
        entry.account = second;
        return true;
      }
      case '318': // RPL_ENDOFWHOIS <me> <nick>
      case '401': // ERR_NOSUCHNICK: nobody there, so nobody logged in
        return this.end(first, (entry) => entry.token === undefined);
      default:
        return false;
    }
  }

  /** Connection lost or stopping: every pending lookup answers "unknown". */
  cancelAll(): void {
    for (const entry of [...this.pending]) this.finish(entry, undefined);
  }

  private end(nick: string | undefined, kind: (entry: PendingLookup) => boolean): boolean {
    const entry = this.byNick(nick, kind);
    if (!entry) return false;
    this.finish(entry, entry.account ?? null);
    return true;
  }

  private byNick(
    nick: string | undefined,
    kind: (entry: PendingLookup) => boolean,
  ): PendingLookup | undefined {
    if (nick === undefined) return undefined;
    const folded = this.hooks.fold()(nick);
    return this.pending.find((entry) => entry.nick === folded && kind(entry));
  }

  private finish(entry: PendingLookup, account: AccountState | undefined): void {
    const index = this.pending.indexOf(entry);
    if (index === -1) return;
    this.pending.splice(index, 1);
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.resolve(account);
  }
}
