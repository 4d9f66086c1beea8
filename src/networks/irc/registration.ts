/**
 * Registration and what follows it on each connection: the welcome (our nick and, when the server says
 * it, our user@host), ISUPPORT (the case mapping), the end of the welcome burst (bot mode, NickServ
 * presence, nick regaining, services login, then the channels), nick refusals and changes, services
 * answers, and how the server shows our host (396, CHGHOST).
 */
import type { Clock } from '../../core/clock.js';
import { caseMappingNamed } from '../../core/casemapping.js';
import type { Logger } from '../../core/logger.js';
import type { FrameworkConnection } from './irc-framework-adapter.js';
import type { IrcSession } from './irc-session.js';
import type { HandlerTable } from './line-dispatcher.js';
import type { NickKeeper } from './nick-keeper.js';
import type { ServicesLogin } from './services-login.js';

/** How long to wait for the end of the MOTD before going on as if it came. */
const WELCOME_FALLBACK_MS = 3000;

export interface RegistrationHooks {
  /** 001: the connection is registered (the supervisor and the network state hear it). */
  registered(): void;
  /** Sends a protocol line of the session's setup (bot mode, ISON). */
  setupLine(line: string): void;
  /** Setup is done: queued lines may go. */
  ready(): void;
}

export class Registration {
  private welcomeTimer: unknown;

  constructor(
    private readonly session: IrcSession,
    private readonly nicks: NickKeeper,
    private readonly login: ServicesLogin,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly address: string,
    private readonly hooks: RegistrationHooks,
  ) {}

  handlers(): HandlerTable {
    const { session } = this;
    return {
      '001': (message, { connection }) => {
        session.ownNick = message.params[0] ?? session.ownNick;
        this.welcome(connection, message.params[message.params.length - 1] ?? '');
      },
      '005': (_message, { connection }) => {
        session.useCaseMapping(caseMappingNamed(connection.supports('CASEMAPPING')));
      },
      '376': (_message, { connection }) => this.afterWelcome(connection),
      '422': (_message, { connection }) => this.afterWelcome(connection),
      // RPL_HOSTHIDDEN <me> <host>
      '396': (message) => {
        if (message.params[1]) session.self.host = message.params[1];
      },
      CHGHOST: (message, { fromSelf }) => {
        if (fromSelf) session.self = { user: message.params[0], host: message.params[1] };
      },
      '432': (message) => this.nickRefused(message.params, message.command),
      '433': (message) => this.nickRefused(message.params, message.command),
      '436': (message) => this.nickRefused(message.params, message.command),
      '437': (message) => this.nickRefused(message.params, message.command),
      NICK: (message, { fromSelf }) => {
        if (!fromSelf) return;
        session.ownNick = message.params[0] ?? '';
        this.nicks.changedTo(session.ownNick);
      },
      '900': (message) => this.login.loggedIn(message.params[2] ?? ''),
      '903': () => this.login.saslSucceeded(),
      // RPL_ISON
      '303': (message) =>
        this.login.nickServPresence(
          (message.params[1] ?? '').split(' ').some((nick) => session.caseFold(nick) === 'nickserv'),
        ),
      '401': (message) => {
        if (session.caseFold(message.params[1] ?? '') === 'nickserv') this.login.nickServPresence(false);
      },
      ERROR: (message) => {
        this.log.warn({ reason: message.params[0] }, `server error: ${message.params[0] ?? ''}`);
      },
    };
  }

  /** The connection ended or the network stops. */
  cancel(): void {
    if (this.welcomeTimer !== undefined) this.clock.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
    this.login.cancel();
  }

  private nickRefused(params: readonly string[], command: string): void {
    this.nicks.refused(params[1] ?? '', params[params.length - 1] ?? command);
  }

  private welcome(connection: FrameworkConnection, text: string): void {
    const { session } = this;
    // "Welcome to the X Network nick!user@host" tells us how the server shows us, when it says so.
    const mask = /(\S+)!(\S+)@(\S+)$/.exec(text);
    if (mask && session.isSelf(mask[1] ?? '')) session.learnSelf(mask[2], mask[3]);
    session.registered = true;
    this.hooks.registered();
    this.log.info({ nick: session.ownNick }, `registered on ${this.address} as ${session.ownNick}`);
    this.welcomeTimer = this.clock.setTimeout(() => this.afterWelcome(connection), WELCOME_FALLBACK_MS);
  }

  /** After the welcome burst (ISUPPORT known): bot mode, services, nick, channels. */
  private afterWelcome(connection: FrameworkConnection): void {
    const { session } = this;
    if (session.welcomed || connection !== session.connection) return;
    session.welcomed = true;
    if (this.welcomeTimer !== undefined) this.clock.clearTimeout(this.welcomeTimer);
    this.welcomeTimer = undefined;
    const nick = session.ownNick;
    const botMode = connection.supports('BOT');
    if (typeof botMode === 'string' && botMode !== '') this.hooks.setupLine(`MODE ${nick} +${botMode}`);
    this.hooks.setupLine('ISON NickServ');
    this.nicks.registeredAs(nick, this.login.password !== undefined);
    this.login.registered();
    this.hooks.ready();
  }
}
