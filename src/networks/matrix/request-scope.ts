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
  private readonly controller = new AbortController();
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
    return this.controller.signal.aborted;
  }

  /** Aborts what is in flight, refuses what comes later, and closes the sockets. */
  close(): void {
    this.controller.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The scope's side of one request: its agent, and its end when the scope closes. */
  send(original: RequestFn, params: Record<string, unknown>, callback: Callback): ReturnType<RequestFn> {
    const signal = this.controller.signal;
    if (signal.aborted) {
      queueMicrotask(() => callback(new StoppedError()));
      return undefined;
    }
    const secure = String(params.uri).startsWith('https:');
    let done = false;
    const finish: Callback = (...args) => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', abort);
      callback(...args);
    };
    const request = original(
      { ...params, forever: false, agent: secure ? this.agents.https : this.agents.http },
      finish,
    );
    // `request` calls nothing back after abort(), so the caller is told here.
    const abort = (): void => {
      request?.abort();
      finish(new StoppedError());
    };
    signal.addEventListener('abort', abort, { once: true });
    return request;
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
