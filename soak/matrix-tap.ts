/**
 * The Matrix side of the soak's wire: the test homeserver in its own process (matrix-homeserver-child.ts),
 * and what it reports kept here: every event firebell put in a room (room, type, content, transaction id,
 * when), every request firebell made with its outcome, and the fault rules the harness sends it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FaultRule } from '../test/matrix-homeserver/faults.js';

const CHILD = fileURLToPath(new URL('./matrix-homeserver-child.js', import.meta.url));
const READY_TIMEOUT_MS = 30_000;

export interface MatrixSetup {
  readonly serverName: string;
  /** The bot's localpart. */
  readonly bot: string;
  /** Localparts of people in every room; the first creates the rooms. */
  readonly people: readonly string[];
  /** Room aliases' localparts, one room each. */
  readonly rooms: readonly string[];
}

/** One event firebell's user put in a room, as the homeserver stored it. */
export interface TappedEvent {
  readonly type: 'event';
  /** The server's timestamp (ms since epoch, same machine clock as the harness). */
  readonly at: number;
  readonly roomId: string;
  readonly eventType: string;
  readonly content: Record<string, unknown>;
  readonly txnId: string | undefined;
  readonly eventId: string;
}

/** One request firebell made, with its outcome (a /sync: when it arrived). */
export interface TappedRequest {
  readonly type: 'request';
  readonly at: number;
  readonly route: string;
  readonly txnId: string | undefined;
  readonly fault: string | undefined;
  readonly status: number | undefined;
}

interface Ready {
  readonly type: 'ready';
  readonly url: string;
  readonly bot: { readonly userId: string; readonly token: string };
  /** Alias (`#infra:soak.test`) → room id. */
  readonly rooms: Record<string, string>;
}

export type FromHomeserver = Ready | TappedEvent | TappedRequest;

export class MatrixTap {
  readonly events: TappedEvent[] = [];
  readonly requests: TappedRequest[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly bot: Ready['bot'],
    readonly rooms: Readonly<Record<string, string>>,
  ) {}

  static async start(setup: MatrixSetup): Promise<MatrixTap> {
    const child = fork(CHILD, [JSON.stringify(setup)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const early: FromHomeserver[] = [];
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the soak homeserver did not start')),
        READY_TIMEOUT_MS,
      );
      child.on('message', (message: FromHomeserver) => {
        if (message.type !== 'ready') early.push(message);
        else {
          clearTimeout(timer);
          resolve(message);
        }
      });
      child.once('exit', (code) => reject(new Error(`the soak homeserver exited (${String(code)})`)));
    });
    const tap = new MatrixTap(child, ready.url, ready.bot, ready.rooms);
    for (const message of early) tap.take(message);
    child.on('message', (message: FromHomeserver) => tap.take(message));
    return tap;
  }

  /** The alias a room id was created for. */
  aliasOf(roomId: string): string | undefined {
    return Object.entries(this.rooms).find(([, id]) => id === roomId)?.[0];
  }

  /** The first /sync firebell began after `since`: its Matrix adapter is running again. */
  syncedAfter(since: number): number | undefined {
    return this.requests.find((request) => request.route === 'sync' && request.at >= since)?.at;
  }

  /** Requests answered with a fault since `since`. */
  faultedSince(since: number): number {
    return this.requests.filter((request) => request.at >= since && request.fault !== undefined).length;
  }

  fault(rule: FaultRule): void {
    this.child.send({ type: 'fault', rule });
  }

  clearFaults(): void {
    this.child.send({ type: 'clear' });
  }

  /** `sender` (a person's localpart) says `body` in the room `alias` (`#infra:soak.test`). */
  post(sender: string, alias: string, body: string): void {
    this.child.send({ type: 'post', sender, alias, body });
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  private take(message: FromHomeserver): void {
    if (message.type === 'event') this.events.push(message);
    else if (message.type === 'request') this.requests.push(message);
  }
}
