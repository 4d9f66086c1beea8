/**
 * matrix-bot-sdk's MatrixClient with its sync loop taken out. `start()` still does the SDK's set-up (the
 * joined-room list that decides `room.join`, the stored filter, dropping the token when the filter
 * changes), but the loop is firebell's (sync-loop.ts): the SDK's backs off a fixed random 5-15 s on real
 * timers, has no hook for failures (bot-sdk#346), saves the token before the events are handled, and
 * does not await async handlers. Every request runs in the client's RequestScope, so `close()` ends the
 * long-poll and everything else in flight at once.
 */
import { MatrixClient } from 'matrix-bot-sdk';
import { classify, StoppedError } from './failures.js';
import { RequestScope } from './request-scope.js';

export type SdkEmit = (type: string, ...payload: unknown[]) => Promise<unknown>;

export class SyncingMatrixClient extends MatrixClient {
  private readonly scope = new RequestScope();
  /** Asked before every request; false refuses it as if the client had stopped (a lost lease). */
  mayWrite: () => boolean = () => true;

  constructor(...args: ConstructorParameters<typeof MatrixClient>) {
    super(...args);
    // firebell keeps `m.direct` from /sync (direct-rooms.ts); the SDK's own copy would cost a request at
    // every start that nothing retries, and nothing reads it.
    this.dms.update = () => Promise.resolve();
  }

  /**
   * Asked for a new access token when the homeserver no longer knows the current one (M_UNKNOWN_TOKEN:
   * revoked, or the session logged out by an admin); resolves undefined when there is none to be had.
   */
  renewToken: (() => Promise<string | undefined>) | undefined;
  private renewal: Promise<string | undefined> | undefined;

  /**
   * Every request, in the client's scope. One that meets a revoked token is tried once more with a new one
   * (a 401 means the homeserver did nothing, so even a send is safe to repeat); requests that meet it
   * together share one renewal.
   */
  override async doRequest(...args: Parameters<MatrixClient['doRequest']>): Promise<unknown> {
    if (!this.mayWrite()) throw new StoppedError();
    const token = this.accessToken;
    try {
      return await this.scope.run(() => super.doRequest(...args) as Promise<unknown>);
    } catch (error) {
      if (classify(error).kind !== 'unknown-token' || this.renewToken === undefined) throw error;
      const renewed = this.accessToken === token ? await this.renewed(this.renewToken) : this.accessToken;
      if (renewed === undefined || !this.mayWrite()) throw error;
      return this.scope.run(() => super.doRequest(...args) as Promise<unknown>);
    }
  }

  private renewed(renew: () => Promise<string | undefined>): Promise<string | undefined> {
    this.renewal ??= renew()
      .then((token) => {
        // The SDK reads it for every request's Authorization header; its type says readonly.
        if (token !== undefined) (this as { accessToken: string }).accessToken = token;
        return token;
      })
      .finally(() => {
        this.renewal = undefined;
      });
    return this.renewal;
  }

  /** Stops syncing and aborts every request in flight (each rejects with StoppedError). */
  close(): void {
    this.stop();
    this.scope.close();
  }

  /** The SDK calls this at the end of `start()`; firebell runs its own loop instead. */
  protected override startSyncInternal(): Promise<void> {
    return Promise.resolve();
  }

  /** One /sync from `token` (none: the initial snapshot), long-polling up to `timeoutMs`. */
  syncOnce(token: string | null, timeoutMs: number): Promise<SyncResponse> {
    this.syncingTimeout = timeoutMs;
    return this.doSync(token as string) as Promise<SyncResponse>;
  }

  /**
   * Whether the bot was in the room before the batch being handled: the SDK's own list, read at `start()`
   * and kept by `dispatch` (a join adds the room, a leave section removes it). Private in the SDK's types.
   */
  wasJoined(roomId: string): boolean {
    return (this as unknown as { lastJoinedRoomIds: readonly string[] }).lastJoinedRoomIds.includes(roomId);
  }

  /** Walks a sync response the SDK's way (leaves, invites, joins, timeline), calling `emit` for each. */
  dispatch(response: SyncResponse, emit: SdkEmit): Promise<void> {
    return this.processSync(response, emit) as Promise<void>;
  }
}

export interface RawEvent {
  readonly event_id: string;
  readonly type: string;
  readonly sender: string;
  readonly origin_server_ts: number;
  readonly content: Record<string, unknown>;
  readonly state_key?: string;
  readonly unsigned?: { readonly age?: number; readonly prev_content?: Record<string, unknown> };
}

/** A room of a sync response; the timeline of a room the bot left ends with its leave. */
export interface SyncRoom {
  readonly state?: { readonly events?: readonly RawEvent[] };
  readonly timeline?: {
    readonly events?: readonly RawEvent[];
    /** Events between the previous sync and these were left out (gaps.ts fills them in). */
    readonly limited?: boolean;
    readonly prev_batch?: string;
  };
}

export interface SyncResponse {
  readonly next_batch: string;
  readonly account_data?: { readonly events?: readonly RawEvent[] };
  readonly rooms?: {
    readonly join?: Record<string, SyncRoom>;
    /** Rooms the bot left (or was removed from) since the previous sync. */
    readonly leave?: Record<string, SyncRoom>;
  };
}

/** The joined and the left rooms of a batch: everything it holds that was said with the bot in the room. */
export function roomsOf(batch: SyncResponse): Array<[string, SyncRoom]> {
  return [...Object.entries(batch.rooms?.join ?? {}), ...Object.entries(batch.rooms?.leave ?? {})];
}
