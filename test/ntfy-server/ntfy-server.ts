/**
 * A spec-faithful ntfy server for the tests (no ntfy can be installed here): it takes publishes as
 * docs.ntfy.sh/publish describes them, checks each request against those rules (publish-rules.ts), answers
 * with ntfy's status codes and JSON error shape (400 bad request, 401 bad credentials, 403 anonymous on a
 * protected topic, 429 rate limited, 5xx when told to fail), and keeps what a subscribed phone would show:
 * one notification per sequence id (a publish with the same sequence id replaces it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { checkHeaderPublish, checkJsonPublish, type PublishRequest } from './publish-rules.js';

export interface NtfyServerOptions {
  /** Access tokens (`tk_...`) and users (`name: password`) that may publish to protected topics. */
  readonly tokens?: readonly string[];
  readonly users?: Readonly<Record<string, string>>;
  /** Topics that refuse anonymous publishes (403). Default: none (as on ntfy.sh without reservations). */
  readonly protectedTopics?: readonly string[];
}

export interface StoredNotification extends PublishRequest {
  readonly id: string;
  readonly time: number;
  /** Who published it: the token, the user, or anonymous. */
  readonly by: string;
}

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly contentType?: string;
  readonly error?: string;
}

const ERRORS: Record<number, { code: number; error: string }> = {
  400: { code: 40000, error: 'invalid request' },
  401: { code: 40101, error: 'unauthorized' },
  403: { code: 40301, error: 'forbidden' },
  404: { code: 40401, error: 'page not found' },
  429: { code: 42901, error: 'limit reached: too many requests, please be nice' },
  500: { code: 50001, error: 'internal server error' },
  503: { code: 50301, error: 'service unavailable' },
};

export class NtfyServer {
  readonly requests: SeenRequest[] = [];
  /** Every accepted publish, in order (a replaced one stays here). */
  readonly accepted: StoredNotification[] = [];
  private readonly shown = new Map<string, StoredNotification>();
  private readonly faults: number[] = [];
  private server: Server | undefined;

  constructor(private readonly options: NtfyServerOptions = {}) {}

  async start(port = 0): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('the ntfy test server is not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The next `count` publishes are answered with `status` (429, 500, 503) before anything is checked. */
  failNext(status: number, count = 1): void {
    for (let index = 0; index < count; index += 1) this.faults.push(status);
  }

  /** The faults not used yet are forgotten: the server is back. */
  recover(): void {
    this.faults.length = 0;
  }

  /** What a phone subscribed to the topic shows: one notification per sequence id, latest first. */
  notifications(topic: string): StoredNotification[] {
    return [...this.shown.values()].filter((shown) => shown.topic === topic).reverse();
  }

  private reply(
    response: ServerResponse,
    status: number,
    body: unknown,
    seen: Omit<SeenRequest, 'status'>,
  ): void {
    this.requests.push({ ...seen, status });
    response.writeHead(status, { 'Content-Type': 'application/json' });
    response.end(`${JSON.stringify(body)}\n`);
  }

  private error(
    response: ServerResponse,
    status: number,
    seen: Omit<SeenRequest, 'status'>,
    detail?: string,
  ): void {
    const known = ERRORS[status] ?? { code: status * 100, error: 'error' };
    const error = detail === undefined ? known.error : `${known.error}: ${detail}`;
    this.reply(
      response,
      status,
      { code: known.code, http: status, error, link: 'https://ntfy.sh/docs/publish/' },
      {
        ...seen,
        error,
      },
    );
  }

  /** undefined: anonymous; null: credentials given but wrong. */
  private publisher(request: IncomingMessage): string | undefined | null {
    const authorization = request.headers.authorization;
    if (authorization === undefined) return undefined;
    const [scheme, value = ''] = authorization.split(' ', 2);
    if (scheme === 'Bearer') return this.options.tokens?.includes(value) ? `token:${value}` : null;
    if (scheme === 'Basic') {
      const [user = '', password] = Buffer.from(value, 'base64').toString('utf8').split(/:(.*)/s, 2);
      return password !== undefined && this.options.users?.[user] === password ? `user:${user}` : null;
    }
    return null;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const seen = {
      method: request.method ?? '',
      path,
      ...(request.headers['content-type'] === undefined
        ? {}
        : { contentType: request.headers['content-type'] }),
    };
    if (request.method !== 'POST' && request.method !== 'PUT') return this.error(response, 404, seen);
    const fault = this.faults.shift();
    if (fault !== undefined) return this.error(response, fault, seen);
    const by = this.publisher(request);
    if (by === null) return this.error(response, 401, seen);
    const checked =
      path === '/' ? checkJsonPublish(body) : checkHeaderPublish(path.slice(1), request.headers, body);
    if (!checked.ok) return this.error(response, 400, seen, checked.error);
    const publish = checked.value;
    if (by === undefined && this.options.protectedTopics?.includes(publish.topic))
      return this.error(response, 403, seen);
    const stored: StoredNotification = {
      ...publish,
      id: randomBytes(6).toString('base64url'),
      time: Math.floor(Date.now() / 1000),
      by: by ?? 'anonymous',
    };
    this.accepted.push(stored);
    const key = `${publish.topic}/${publish.sequenceId ?? stored.id}`;
    this.shown.delete(key);
    this.shown.set(key, stored);
    this.reply(
      response,
      200,
      {
        id: stored.id,
        time: stored.time,
        expires: stored.time + 43_200,
        event: 'message',
        topic: publish.topic,
        message: publish.message,
        ...(publish.title === undefined ? {} : { title: publish.title }),
        priority: publish.priority,
        tags: publish.tags,
        ...(publish.click === undefined ? {} : { click: publish.click }),
        actions: publish.actions,
        ...(publish.sequenceId === undefined ? {} : { sequence_id: publish.sequenceId }),
      },
      seen,
    );
  }
}
