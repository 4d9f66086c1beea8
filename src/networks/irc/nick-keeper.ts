/**
 * Keeps the configured nick. While registering, a taken nick (433 and friends) moves on to the alternate
 * nicks and then to generated ones, because irc-framework would stall. Once registered on a stand-in nick,
 * it regains the real one: with a services password it asks NickServ (GHOST for Atheme-style services,
 * RECOVER for Anope 2), then retries NICK with a backoff, and at once whenever it sees the nick freed.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { Backoff } from './backoff.js';
import type { CaseFold } from '../../core/casemapping.js';

export interface NickKeeperHooks {
  /** Sends NICK (directly while registering, paced afterwards). */
  changeNick(nick: string): void;
  /** Sends a command to NickServ; the text may hold a password and must not be logged. */
  nickServ(command: string): void;
}

export interface NickKeeperOptions {
  readonly nick: string;
  readonly altNicks: readonly string[];
  /** The services password that owns the nick (NickServ password, else the SASL one). */
  readonly password: string | undefined;
  readonly random?: () => number;
}

/** NickServ answers slower than a NICK: give it this long before trying the nick ourselves. */
const AFTER_SERVICES_MS = 2000;
/** Do not answer a burst of "nick freed" events with a burst of NICK commands. */
const MIN_GAP_MS = 1000;

export class NickKeeper {
  private candidate = 0;
  private registered = false;
  private current = '';
  private askedServices = false;
  private lastAttempt = -Infinity;
  private timer: unknown;
  private readonly retry: Backoff;

  constructor(
    private readonly options: NickKeeperOptions,
    private readonly fold: () => CaseFold,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: NickKeeperHooks,
  ) {
    const { random } = options;
    this.retry = new Backoff(
      random ? { initialMs: 15_000, maxMs: 300_000, random } : { initialMs: 15_000, maxMs: 300_000 },
    );
  }

  get desired(): string {
    return this.options.nick;
  }

  /** The nick to register with on a new connection. */
  connecting(): string {
    this.clearTimer();
    this.candidate = 0;
    this.registered = false;
    this.askedServices = false;
    this.retry.reset();
    this.current = this.options.nick;
    return this.current;
  }

  /** The server refused a nick (433 in use, 432 erroneous, 437 held by services). */
  refused(nick: string, reason: string): void {
    if (!this.registered) {
      const next = this.nextCandidate();
      this.logger.warn({ nick, next }, `nick ${nick} refused (${reason}); trying ${next}`);
      this.current = next;
      this.hooks.changeNick(next);
      return;
    }
    if (this.isDesired(nick)) this.scheduleRetry(this.retry.next());
  }

  /** Registered as `nick`; `canAskServices` when a password is there and the network has NickServ. */
  registeredAs(nick: string, canAskServices: boolean): void {
    this.registered = true;
    this.current = nick;
    if (this.isDesired(nick)) return;
    this.logger.warn(
      { nick, desired: this.options.nick },
      `registered as ${nick} because ${this.options.nick} is taken; trying to regain it`,
    );
    this.regain(canAskServices);
  }

  /** Our nick changed (our NICK went through, or services renamed us). */
  changedTo(nick: string): void {
    this.current = nick;
    if (this.isDesired(nick)) {
      this.clearTimer();
      this.retry.reset();
      this.logger.info({ nick }, `regained nick ${nick}`);
    }
  }

  /** Someone holding the configured nick quit or renamed: try to take it now. */
  freed(nick: string): void {
    if (!this.registered || !this.isDesired(nick) || this.isDesired(this.current)) return;
    this.attempt();
  }

  stop(): void {
    this.registered = false;
    this.clearTimer();
  }

  private regain(canAskServices: boolean): void {
    const password = this.options.password;
    if (canAskServices && password !== undefined && !this.askedServices) {
      this.askedServices = true;
      this.logger.info({ nick: this.options.nick }, `asking NickServ to free ${this.options.nick}`);
      this.hooks.nickServ(`GHOST ${this.options.nick} ${password}`);
      this.hooks.nickServ(`RECOVER ${this.options.nick} ${password}`);
      this.scheduleRetry(AFTER_SERVICES_MS);
      return;
    }
    this.scheduleRetry(this.retry.next());
  }

  private attempt(): void {
    const now = this.clock.now();
    if (now - this.lastAttempt < MIN_GAP_MS) return;
    this.lastAttempt = now;
    this.clearTimer();
    this.hooks.changeNick(this.options.nick);
  }

  private scheduleRetry(delayMs: number): void {
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.registered || this.isDesired(this.current)) return;
      this.lastAttempt = -Infinity;
      this.attempt();
    }, delayMs);
  }

  private nextCandidate(): string {
    const { nick, altNicks } = this.options;
    const fixed = fallbackNicks(nick, altNicks);
    this.candidate += 1;
    const listed = fixed[this.candidate - 1];
    if (listed !== undefined) return listed;
    const random = this.options.random ?? Math.random;
    return `${nick.slice(0, 12)}${Math.floor(random() * 1000)
      .toString()
      .padStart(3, '0')}`;
  }

  private isDesired(nick: string): boolean {
    const fold = this.fold();
    return fold(nick) === fold(this.options.nick);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The nicks tried, in order, when the configured one is taken (then random ones). */
export function fallbackNicks(nick: string, altNicks: readonly string[]): string[] {
  return [...altNicks, `${nick}_`, `${nick}__`];
}
