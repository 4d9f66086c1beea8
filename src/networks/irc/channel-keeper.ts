/**
 * Keeps the bot in its configured channels: joins them (with keys) once registered, and rejoins after a
 * KICK, an unexpected PART or a refused JOIN (ban, key, invite-only, full) with a per-channel exponential
 * backoff, logged each time, so a ban never turns into a JOIN loop. The backoff starts over only when a
 * stay in the channel lasted a while.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { Backoff } from './backoff.js';
import type { CaseFold } from '../../core/casemapping.js';

export interface ChannelConfig {
  readonly name: string;
  readonly key?: string;
}

interface ChannelState {
  readonly name: string;
  readonly key: string | undefined;
  joined: boolean;
  joinedAt: number | undefined;
  /** Why the server refused our last JOIN, until we get in. */
  refusal: string | undefined;
  readonly backoff: Backoff;
  timer: unknown;
}

/** A stay this long counts as "it worked": the next rejoin starts from the shortest wait again. */
const STABLE_STAY_MS = 60_000;

export class ChannelKeeper {
  private readonly channels = new Map<string, ChannelState>();
  private active = false;

  constructor(
    channels: readonly ChannelConfig[],
    private readonly fold: () => CaseFold,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly join: (channel: string, key: string | undefined) => void,
    random?: () => number,
  ) {
    for (const channel of channels) {
      const backoff = new Backoff(
        random ? { initialMs: 1000, maxMs: 300_000, random } : { initialMs: 1000, maxMs: 300_000 },
      );
      this.channels.set(this.fold()(channel.name), {
        name: channel.name,
        key: channel.key,
        joined: false,
        joinedAt: undefined,
        refusal: undefined,
        backoff,
        timer: undefined,
      });
    }
  }

  /** The configured spelling of a channel, so replies and routing use the name from the config. */
  configuredName(channel: string): string | undefined {
    return this.get(channel)?.name;
  }

  isJoined(channel: string): boolean {
    return this.get(channel)?.joined ?? false;
  }

  /** Why the server refused to let us in, while we are not in (a ban, a key, invite only). */
  refusal(channel: string): string | undefined {
    const state = this.get(channel);
    return state?.joined ? undefined : state?.refusal;
  }

  joinedCount(): number {
    return [...this.channels.values()].filter((channel) => channel.joined).length;
  }

  /** Registered (and identified): join every configured channel. */
  joinAll(): void {
    this.active = true;
    for (const channel of this.channels.values()) if (!channel.joined) this.join(channel.name, channel.key);
  }

  selfJoined(channel: string): void {
    const state = this.get(channel);
    if (!state) return;
    this.clearTimer(state);
    state.joined = true;
    state.joinedAt = this.clock.now();
    state.refusal = undefined;
    this.logger.info({ channel: state.name }, `joined ${state.name}`);
  }

  kicked(channel: string, by: string, reason: string): void {
    const state = this.get(channel);
    if (!state) return;
    this.leave(state, `kicked from ${state.name} by ${by}${reason ? ` (${reason})` : ''}`);
  }

  /** We left without asking (a services or oper PART). */
  parted(channel: string): void {
    const state = this.get(channel);
    if (!state) return;
    this.leave(state, `removed from ${state.name}`);
  }

  /** The server refused a JOIN (471 full, 473 invite only, 474 banned, 475 bad key, 477 needs a registered nick...). */
  joinRefused(channel: string, reason: string): void {
    const state = this.get(channel);
    if (!state || state.joined) return;
    state.refusal = reason;
    this.scheduleRejoin(state, `cannot join ${state.name}: ${reason}`);
  }

  /** The connection ended: nothing is joined, pending rejoins are moot (registration joins again). */
  disconnected(): void {
    this.active = false;
    for (const state of this.channels.values()) {
      this.clearTimer(state);
      state.joined = false;
      state.joinedAt = undefined;
      state.refusal = undefined;
    }
  }

  stop(): void {
    this.disconnected();
  }

  private leave(state: ChannelState, why: string): void {
    const stayedMs = state.joinedAt === undefined ? 0 : this.clock.now() - state.joinedAt;
    if (stayedMs >= STABLE_STAY_MS) state.backoff.reset();
    state.joined = false;
    state.joinedAt = undefined;
    this.scheduleRejoin(state, why);
  }

  private scheduleRejoin(state: ChannelState, why: string): void {
    if (!this.active || state.timer !== undefined) return;
    const delayMs = state.backoff.next();
    this.logger.warn(
      { channel: state.name, delayMs, attempt: state.backoff.attempts },
      `${why}; rejoining in ${Math.round(delayMs / 1000)} s`,
    );
    state.timer = this.clock.setTimeout(() => {
      state.timer = undefined;
      if (this.active && !state.joined) this.join(state.name, state.key);
    }, delayMs);
  }

  private clearTimer(state: ChannelState): void {
    if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
    state.timer = undefined;
  }

  private get(channel: string): ChannelState | undefined {
    return this.channels.get(this.fold()(channel));
  }
}
