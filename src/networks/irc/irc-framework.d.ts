/**
 * The part of irc-framework 4.14 that firebell uses. The library ships no types (kiwiirc/irc-framework#166).
 * firebell leans on it for the transport (TCP/TLS), line parsing, CAP negotiation with SASL, PING replies,
 * ISUPPORT and case mapping; everything else is read from the parsed protocol messages.
 */
declare module 'irc-framework' {
  /** One parsed protocol line. */
  export interface IrcMessage {
    tags: Record<string, string>;
    /** `nick!user@host` or a server name; '' when the line has no prefix. */
    prefix: string;
    nick: string;
    ident: string;
    hostname: string;
    /** Upper case; numerics stay numeric ('001'). */
    command: string;
    params: string[];
  }

  export interface ConnectOptions {
    host: string;
    port: number;
    tls: boolean;
    rejectUnauthorized?: boolean;
    nick: string;
    username: string;
    gecos: string;
    /** Server password (PASS). Without `account.account`, irc-framework would also use it for SASL. */
    password?: string;
    /** SASL PLAIN credentials; `{}` turns SASL off. */
    account: { account: string; password: string } | Record<string, never>;
    auto_reconnect: boolean;
    /** Seconds; 0 turns irc-framework's own PING loop and timeout off. */
    ping_interval: number;
    ping_timeout: number;
    enable_echomessage: boolean;
    enable_chghost: boolean;
    /** CTCP VERSION auto-reply; null leaves CTCP to the caller. */
    version: string | null;
    encoding: string;
  }

  export interface CapabilityState {
    negotiating: boolean;
    requested: string[];
    enabled: string[];
    available: Map<string, string>;
    isEnabled(cap: string): boolean;
  }

  export interface NetworkInfo {
    name: string;
    server: string;
    options: Record<string, unknown>;
    cap: CapabilityState;
    /** An ISUPPORT token's value: true for a bare token, undefined when absent. */
    supports(token: string): unknown;
    /** Whether a client-only tag (without its '+') may be sent: message-tags on, CLIENTTAGDENY allows it. */
    supportsTag(tag: string): boolean;
  }

  export interface SaslFailure {
    reason: 'fail' | 'nick_locked' | 'too_long' | 'unsupported_mechanism' | 'capability_missing';
    message?: string;
  }

  export interface RawEvent {
    line: string;
    from_server: boolean;
  }

  export interface ClientEvents {
    'socket connected': () => void;
    'socket close': (error?: Error | false) => void;
    raw: (event: RawEvent) => void;
    registered: (event: { nick: string }) => void;
    'sasl failed': (event: SaslFailure) => void;
  }

  /** A raw middleware sees each parsed line before irc-framework's own handlers run. */
  export type RawMiddleware = (
    command: string,
    message: IrcMessage,
    rawLine: string,
    client: Client,
    next: (error?: unknown) => void,
  ) => void;

  export interface Connection {
    connected: boolean;
    /** Writes one line (without CRLF); returns false when the socket is not open. */
    write(line: string, callback?: (error?: Error | null) => void): boolean | undefined;
    end(data?: string, hadError?: boolean): void;
    on(event: 'message', listener: (message: IrcMessage, rawLine: string) => void): void;
    transport: { socket: import('node:net').Socket | null; disposeSocket(): void } | null;
  }

  export class Client {
    constructor(options?: Partial<ConnectOptions>);
    user: { nick: string; username: string; host: string };
    network: NetworkInfo;
    connection: Connection;
    readonly connected: boolean;
    connect(options: ConnectOptions): void;
    quit(message?: string): void;
    /** Asks for a capability beyond irc-framework's own list, in the next CAP negotiation. */
    requestCap(cap: string | string[]): void;
    use(plugin: (client: Client, rawMiddleware: { use(fn: RawMiddleware): void }) => void): this;
    caseCompare(a: string, b: string): boolean;
    caseLower(value: string): string;
    on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): this;
    removeAllListeners(): this;
  }

  export function ircLineParser(line: string): IrcMessage | undefined;

  const IRC: { Client: typeof Client; ircLineParser: typeof ircLineParser };
  export default IRC;
}
