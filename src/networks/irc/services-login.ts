/**
 * Logging in to services on each connection. SASL (irc-framework runs it during registration) is the way;
 * when it is not configured, or fails (a clear log line says which and why), NickServ IDENTIFY is the
 * fallback. Channels are joined once services confirm the login (900), or at once when there is no NickServ
 * on the network, or after a short wait when NickServ stays silent: joining unidentified beats not joining.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';

export interface ServicesLoginOptions {
  /** SASL credentials from the config. */
  readonly sasl: { readonly account: string; readonly password: string } | undefined;
  readonly nickservPassword: string | undefined;
  /** The configured nick: the account to IDENTIFY as when SASL names none. */
  readonly nick: string;
  /** host:port, for log lines. */
  readonly address: string;
}

export interface ServicesLoginHooks {
  /** Sends a command to NickServ (the text holds a password: never log it). */
  nickServ(command: string): void;
  /** Time to join the channels. */
  ready(): void;
}

/** How long NickServ gets to confirm IDENTIFY before the channels are joined anyway. */
const IDENTIFY_WAIT_MS = 5000;

export class ServicesLogin {
  private sasl: 'none' | 'ok' | 'failed' = 'none';
  private nickServ: boolean | undefined;
  private waiting: unknown;

  constructor(
    private readonly options: ServicesLoginOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly hooks: ServicesLoginHooks,
  ) {}

  /** The password that proves the bot owns its nick, for IDENTIFY and for regaining the nick. */
  get password(): string | undefined {
    return this.options.nickservPassword ?? this.options.sasl?.password;
  }

  /** Whether NickServ answered ISON; undefined until it did on this connection. */
  get nickServOnline(): boolean | undefined {
    return this.nickServ;
  }

  /** A new connection: nothing is known yet. */
  connecting(): void {
    this.cancel();
    this.sasl = 'none';
    this.nickServ = undefined;
  }

  saslSucceeded(): void {
    this.sasl = 'ok';
  }

  saslFailed(reason: string, serverText: string | undefined): void {
    this.sasl = 'failed';
    const account = this.options.sasl?.account ?? '?';
    const then =
      this.password === undefined ? 'continuing without services login' : 'falling back to NickServ IDENTIFY';
    const why =
      reason === 'capability_missing'
        ? `${this.options.address} offers no SASL`
        : `${reason}${serverText ? `: ${serverText}` : ''}`;
    this.logger.warn({ account, reason }, `SASL login as ${account} failed (${why}); ${then}`);
  }

  /** Registration is complete: identify if SASL did not, then let the channels be joined. */
  registered(): void {
    const password = this.password;
    if (this.sasl === 'ok' || password === undefined) {
      this.hooks.ready();
      return;
    }
    const account = this.options.sasl?.account ?? this.options.nick;
    this.logger.info(
      { account },
      this.options.sasl
        ? `identifying to NickServ as ${account} (fallback after SASL failed)`
        : `identifying to NickServ as ${account}`,
    );
    this.hooks.nickServ(`IDENTIFY ${account} ${password}`);
    this.waiting = this.clock.setTimeout(() => {
      this.waiting = undefined;
      this.logger.warn(
        { account },
        `NickServ did not confirm the login as ${account}; joining channels anyway`,
      );
      this.hooks.ready();
    }, IDENTIFY_WAIT_MS);
  }

  /** 900 RPL_LOGGEDIN, after SASL or IDENTIFY. */
  loggedIn(account: string): void {
    this.logger.info({ account }, `logged in to services as ${account}`);
    this.finishWaiting();
  }

  /** Whether NickServ is on the network (ISON reply, or 401 when we wrote to it). */
  nickServPresence(online: boolean): void {
    this.nickServ = online;
    if (online || this.waiting === undefined) return;
    this.logger.warn(
      `there is no NickServ on ${this.options.address}: cannot identify; joining channels unidentified`,
    );
    this.finishWaiting();
  }

  /** The connection ended or the bot stops. */
  cancel(): void {
    if (this.waiting !== undefined) this.clock.clearTimeout(this.waiting);
    this.waiting = undefined;
  }

  private finishWaiting(): void {
    if (this.waiting === undefined) return;
    this.cancel();
    this.hooks.ready();
  }
}
