/**
 * What one IRC connection knows about itself: the connection, whether it registered, our nick (tracked
 * here: irc-framework updates its copy before we see the NICK), how the server shows us (for the byte
 * budget of a line), and the server's case mapping. Reset for every connection attempt.
 */
import { ircCaseFold, type CaseFold, type CaseMapping } from '../../core/casemapping.js';
import type { FrameworkConnection } from './irc-framework-adapter.js';

export class IrcSession {
  connection: FrameworkConnection | undefined;
  registered = false;
  /** The end of the welcome burst was handled (ISUPPORT known, services and channels under way). */
  welcomed = false;
  ownNick = '';
  /** The server's ISUPPORT CASEMAPPING (rfc1459 until it said), and its fold. */
  caseMapping: CaseMapping = 'rfc1459';
  caseFold: CaseFold = ircCaseFold('rfc1459');
  self: { user: string | undefined; host: string | undefined } = { user: undefined, host: undefined };

  readonly fold = (): CaseFold => this.caseFold;

  /** `mayWrite`: asked before every line; false holds it back (an instance that lost its lease). */
  constructor(private readonly mayWrite?: () => boolean) {}

  /** A new connection attempt: nothing is known. */
  reset(connection: FrameworkConnection, nick: string): void {
    this.connection = connection;
    this.registered = false;
    this.welcomed = false;
    this.ownNick = nick;
    this.useCaseMapping('rfc1459');
    this.self = { user: undefined, host: undefined };
  }

  useCaseMapping(mapping: CaseMapping): void {
    this.caseMapping = mapping;
    this.caseFold = ircCaseFold(mapping);
  }

  isSelf(nick: string): boolean {
    return nick !== '' && this.caseFold(nick) === this.caseFold(this.ownNick);
  }

  learnSelf(user: string | undefined, host: string | undefined): void {
    if (user) this.self.user = user;
    if (host) this.self.host = host;
  }

  /** Inside our own write: the line the library reports is ours, paced already (not to be charged). */
  writing = false;

  /** Writes a line to the current connection; false when none is open, or writing is not allowed now. */
  write(line: string, written?: (error?: Error) => void): boolean {
    const connection = this.connection;
    if (!connection?.connected || this.mayWrite?.() === false) return false;
    this.writing = true;
    try {
      return connection.write(line, written);
    } finally {
      this.writing = false;
    }
  }

  /** Registered with an open socket: lines may be written. */
  canSend(): boolean {
    return this.registered && this.connection?.connected === true;
  }

  /** Whether `name` is a channel by the server's CHANTYPES (#& until it said). */
  isChannel(name: string): boolean {
    const types = this.connection?.supports('CHANTYPES');
    const prefixes = Array.isArray(types) ? types.join('') : typeof types === 'string' ? types : '#&';
    return name.length > 1 && prefixes.includes(name[0] as string);
  }
}
