/**
 * matrix-bot-sdk sends every request through the `request` library and offers no way to cancel one, so a
 * /sync long-poll outlived `stop()` by up to 30 s, and `request`'s keep-alive pool (its `forever` agent
 * keeps idle sockets referenced) held the process open after that: SIGTERM took 14-30 s.
 *
 * A session runs its client's requests inside a RequestScope (AsyncLocalStorage carries it into the SDK's
 * call of the request function, which is swapped once for a wrapper through the SDK's own `setRequestFn`).
 * Requests in a scope use the scope's keep-alive agents, whose idle sockets Node leaves unreferenced, and
 * `close()` aborts every request still in flight (each fails at once with StoppedError) and destroys the
 * sockets. Requests outside any scope (the login checks) go through unchanged.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { getRequestFn, setRequestFn } from 'matrix-bot-sdk';
import { StoppedError } from './failures.js';

type Callback = (error: unknown, response?: unknown, body?: unknown) => void;
type RequestFn = (params: Record<string, unknown>, callback: Callback) => { abort(): void } | undefined;

const scopes = new AsyncLocalStorage<RequestScope>();
let installed = false;

export class RequestScope {
  private isClosed = false;
  /** How to end each request in flight (a set, not abort listeners: a busy session has dozens at once). */
  private readonly inFlight = new Set<() => void>();
  private readonly agents = {
    http: new HttpAgent({ keepAlive: true }),
    https: new HttpsAgent({ keepAlive: true }),
  };

  /** Runs `fn`; the SDK requests it starts (now or after awaiting) belong to this scope. */
  run<T>(fn: () => T): T {
    install();
    return scopes.run(this, fn);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Aborts what is in flight, refuses what comes later, and closes the sockets. */
  close(): void {
    this.isClosed = true;
    for (const abort of [...this.inFlight]) abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The scope's side of one request: its agent, and its end when the scope closes. */
  send(original: RequestFn, params: Record<string, unknown>, callback: Callback): ReturnType<RequestFn> {
    if (this.isClosed) {
      queueMicrotask(() => callback(new StoppedError()));
      return undefined;
    }
    const secure = String(params.uri).startsWith('https:');
    let done = false;
    const sent: { request?: ReturnType<RequestFn> } = {};
    // `request` calls nothing back after abort(), so the caller is told here.
    const abort = (): void => {
      sent.request?.abort();
      finish(new StoppedError());
    };
    const finish: Callback = (...args) => {
      if (done) return;
      done = true;
      this.inFlight.delete(abort);
      callback(...args);
    };
    this.inFlight.add(abort);
    sent.request = original(
      { ...params, forever: false, agent: secure ? this.agents.https : this.agents.http },
      finish,
    );
    return sent.request;
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = getRequestFn() as unknown as RequestFn;
  const scoped: RequestFn = (params, callback) => {
    const scope = scopes.getStore();
    return scope ? scope.send(original, params, callback) : original(params, callback);
  };
  setRequestFn(scoped);
}
