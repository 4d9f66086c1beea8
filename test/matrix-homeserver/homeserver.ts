/**
 * A Matrix homeserver for tests and benchmarks: node:http on a free loopback port, in-memory, speaking
 * the client-server API for every endpoint matrix-bot-sdk and firebell call (routes.ts), with fault
 * injection (faults.ts), an optional per-user event rate limit like Synapse's rc_message (rate-limit.ts),
 * and helpers that act as users without going through HTTP. Never shipped.
 *
 *   const hs = await TestHomeserver.start();
 *   const alice = hs.createUser('alice');
 *   const room = hs.createRoom(alice.userId, { preset: 'public_chat', room_alias_name: 'infra' });
 *   hs.post(alice.userId, room, { msgtype: 'm.text', body: '!status' });
 *   await hs.stop();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MatrixHttpError } from './errors.js';
import type { Content, StoredEvent } from './events.js';
import { FaultInjector, type FaultKind } from './faults.js';
import { HomeserverModel, type CreateRoomOptions, type PostOptions, type Session } from './model.js';
import { EventRateLimiter, type RateLimitConfig } from './rate-limit.js';
import { routes, type Route } from './routes.js';

/** The requests that create events, which Synapse's rc_message counts. */
const EVENT_ROUTES = new Set(['send', 'state.put', 'redact']);

export interface RequestRecord {
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly userId: string | undefined;
  readonly params: Record<string, string>;
  status?: number;
  fault?: FaultKind['kind'];
  /** Refused by the event rate limit. */
  limited?: boolean;
}

export interface TestUser extends Session {
  readonly password: string;
}

/** A request held by a `hold` fault. */
export interface HeldRequest {
  readonly record: RequestRecord;
  /** Lets it go on (or, held after it took effect, be answered). */
  release(): void;
}

export class TestHomeserver {
  readonly model: HomeserverModel;
  readonly faults = new FaultInjector();
  /** Every request, in arrival order, with the route it matched and how it ended. */
  readonly requests: RequestRecord[] = [];
  recordRequests = true;
  /** Requests a `hold` fault is holding, oldest first. */
  readonly held: HeldRequest[] = [];
  /** The per-user event rate limit; none by default. Set or replace it at any time. */
  rateLimit: EventRateLimiter | undefined;
  private readonly pending = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly serverName: string,
    private readonly now: () => number,
  ) {
    this.model = new HomeserverModel(serverName, now);
  }

  static async start(
    options: { serverName?: string; now?: () => number; rateLimit?: RateLimitConfig } = {},
  ): Promise<TestHomeserver> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const hs = new TestHomeserver(
      server,
      `http://127.0.0.1:${port}`,
      options.serverName ?? 'test.local',
      options.now ?? (() => Date.now()),
    );
    server.on('request', (request, response) => void hs.handle(request, response));
    if (options.rateLimit) hs.limitEvents(options.rateLimit);
    return hs;
  }

  /** Enforces a per-user event rate limit (Synapse's rc_message) from now on; undefined lifts it. */
  limitEvents(config: RateLimitConfig | undefined): void {
    this.rateLimit = config && new EventRateLimiter(config, this.now);
  }

  /** Closes every connection (long-polls included) and the listener; pending fault delays end. */
  async stop(): Promise<void> {
    for (const cancel of [...this.pending]) cancel();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- helpers for tests

  createUser(localpart: string, options: { displayname?: string; password?: string } = {}): TestUser {
    const password = options.password ?? `pw-${localpart}`;
    const userId = this.model.createUser(localpart, { ...options, password });
    return { ...this.model.openSession(userId), password };
  }

  createRoom(creator: string, options: CreateRoomOptions = {}): string {
    return this.model.createRoom(creator, options);
  }

  join(userId: string, roomIdOrAlias: string): string {
    return this.model.join(userId, roomIdOrAlias);
  }

  invite(
    inviter: string,
    roomId: string,
    target: string,
    options: { isDirect?: boolean; reason?: string } = {},
  ): void {
    this.model.invite(inviter, roomId, target, options);
  }

  leave(userId: string, roomId: string, reason?: string): void {
    this.model.leave(userId, roomId, reason);
  }

  kick(kicker: string, roomId: string, target: string, reason?: string): void {
    this.model.kick(kicker, roomId, target, reason);
  }

  ban(banner: string, roomId: string, target: string, reason?: string): void {
    this.model.ban(banner, roomId, target, reason);
  }

  /** Points an existing alias at another room (as a room upgrade or a move does). */
  moveAlias(alias: string, roomId: string): void {
    this.model.deleteAlias(alias);
    this.model.setAlias(alias, roomId);
  }

  /** Posts an `m.room.message` (or `type`) as a user; `ts` back-dates it. Returns the event id. */
  post(
    userId: string,
    roomId: string,
    content: Content,
    options: PostOptions & { type?: string } = {},
  ): string {
    const { type, ...rest } = options;
    return this.model.post(userId, roomId, type ?? 'm.room.message', content, rest);
  }

  setState(userId: string, roomId: string, type: string, stateKey: string, content: Content): string {
    return this.model.setState(userId, roomId, type, stateKey, content);
  }

  /** A room's events in order, optionally only of one type or sender. */
  timeline(roomId: string, filter: { type?: string; sender?: string } = {}): StoredEvent[] {
    const room = this.model.room(roomId);
    if (!room) throw new Error(`no room ${roomId}`);
    return room.events.filter(
      (event) =>
        (filter.type === undefined || event.type === filter.type) &&
        (filter.sender === undefined || event.sender === filter.sender),
    );
  }

  /** The messages a user sent to a room, as their contents. */
  messagesFrom(roomId: string, sender: string): Content[] {
    return this.timeline(roomId, { type: 'm.room.message', sender }).map((event) => event.content);
  }

  membership(roomId: string, userId: string): string | undefined {
    return this.model.room(roomId)?.membership(userId);
  }

  requestsTo(route: string): RequestRecord[] {
    return this.requests.filter((request) => request.route === route);
  }

  /** Every transaction id sent to `route` ('send' by default), in arrival order, repeats included. */
  transactionIds(route = 'send'): string[] {
    return this.requestsTo(route).flatMap((request) =>
      request.params.txnId === undefined ? [] : [request.params.txnId],
    );
  }

  /** Lets every held request go on. */
  releaseHeld(): void {
    for (const held of this.held.splice(0)) held.release();
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    const match = this.match(request.method ?? 'GET', url.pathname);
    if (!match) {
      const known = routes.some((candidate) => candidate.path.test(url.pathname));
      const error = new MatrixHttpError(known ? 405 : 404, 'M_UNRECOGNIZED', 'Unrecognized request');
      this.respond(response, error.status, error.body());
      return;
    }
    const token = bearer(request) ?? url.searchParams.get('access_token') ?? undefined;
    let session = token === undefined ? undefined : this.model.session(token);
    const record: RequestRecord = {
      route: match.route.name,
      method: request.method ?? 'GET',
      path: url.pathname,
      userId: session?.userId,
      params: match.params,
    };
    if (this.recordRequests) this.requests.push(record);
    const raw = await readBody(request);
    const fault = this.faults.take(match.route.name, session?.userId);
    if (fault) record.fault = fault.kind;
    if (fault?.kind === 'drop') {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === 'rate-limit') {
      record.status = 429;
      this.tooManyRequests(response, fault.retryAfterMs, fault.body ?? true, fault.header ?? false);
      return;
    }
    if (fault?.kind === 'error') {
      record.status = fault.status;
      if (fault.html) {
        response.writeHead(fault.status, { 'content-type': 'text/html' });
        response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      } else this.respond(response, fault.status, { errcode: 'M_UNKNOWN', error: 'Internal server error' });
      return;
    }
    if (fault?.kind === 'delay') await this.delay(fault.ms);
    if (fault?.kind === 'hold' && !fault.after) {
      await this.hold(record, response);
      // A client that went away while held never sent the request, as far as the homeserver knows.
      if (response.destroyed) return;
      // Nor has it seen the token yet: one revoked while the request was held is unknown.
      session = token === undefined ? undefined : this.model.session(token);
    }
    const limitedFor = this.eventLimit(match.route.name, session, match.params);
    if (limitedFor !== undefined) {
      record.status = 429;
      record.limited = true;
      await this.delay(this.rateLimit?.config.pauseMs ?? 0);
      this.tooManyRequests(response, limitedFor, true, true);
      return;
    }
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    let status = 200;
    let body: unknown;
    try {
      if (match.route.auth && token === undefined)
        throw new MatrixHttpError(401, 'M_MISSING_TOKEN', 'Missing access token');
      if (match.route.auth && !session)
        throw new MatrixHttpError(401, 'M_UNKNOWN_TOKEN', 'Unknown access token', { soft_logout: false });
      const json = parseJson(raw, request.method ?? 'GET');
      body = await match.route.handle({
        model: this.model,
        session,
        params: match.params,
        query: url.searchParams,
        body: json,
        now: this.now,
        signal: abort.signal,
      });
    } catch (error) {
      const failure =
        error instanceof MatrixHttpError ? error : new MatrixHttpError(500, 'M_UNKNOWN', String(error));
      status = failure.status;
      body = failure.body();
    }
    record.status = status;
    if (fault?.kind === 'hold' && fault.after) await this.hold(record, response);
    if (fault?.kind === 'drop-after') {
      request.socket.destroy();
      return;
    }
    if (!response.destroyed) this.respond(response, status, body);
  }

  /** The ms to wait if the rate limit refuses this request; undefined when it may go ahead. */
  private eventLimit(
    route: string,
    session: Session | undefined,
    params: Record<string, string>,
  ): number | undefined {
    if (!this.rateLimit || !session || !EVENT_ROUTES.has(route)) return undefined;
    // A retransmission of a transaction the server already took is answered from its cache, uncounted.
    if (params.txnId !== undefined && this.model.knownTransaction(session, route, params)) return undefined;
    const wait = this.rateLimit.take(session.userId);
    return wait > 0 ? wait : undefined;
  }

  /** CS API v1.18 "Rate limiting": 429 M_LIMIT_EXCEEDED, the wait in the body and/or Retry-After. */
  private tooManyRequests(
    response: ServerResponse,
    retryAfterMs: number | undefined,
    inBody: boolean,
    inHeader: boolean,
  ): void {
    const known = retryAfterMs !== undefined;
    this.respond(
      response,
      429,
      {
        errcode: 'M_LIMIT_EXCEEDED',
        error: 'Too Many Requests',
        ...(known && inBody ? { retry_after_ms: retryAfterMs } : {}),
      },
      known && inHeader ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {},
    );
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of routes) {
      if (route.method !== method) continue;
      const found = route.path.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      for (const [key, value] of Object.entries(found.groups ?? {}))
        if (value !== undefined) params[key] = decodeURIComponent(value);
      return { route, params };
    }
    return undefined;
  }

  private respond(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    response.end(text);
  }

  /** Until the test releases it, the client goes away, or the homeserver stops. */
  private hold(record: RequestRecord, response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const release = (): void => {
        this.pending.delete(release);
        const index = this.held.findIndex((held) => held.release === release);
        if (index >= 0) this.held.splice(index, 1);
        resolve();
      };
      this.pending.add(release);
      this.held.push({ record, release });
      response.on('close', release);
    });
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.pending.delete(cancel);
        resolve();
      };
      const timer = setTimeout(cancel, ms);
      this.pending.add(cancel);
    });
  }
}

function bearer(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(''));
  });
}

/** "All POST and PUT endpoints ... require the client to supply a request body containing a JSON object." */
function parseJson(raw: string, method: string): Content {
  if (method !== 'POST' && method !== 'PUT') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw === '' ? 'null' : raw);
  } catch {
    throw new MatrixHttpError(400, 'M_NOT_JSON', 'Content not JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new MatrixHttpError(400, 'M_BAD_JSON', 'Body must be a JSON object');
  return parsed as Content;
}
