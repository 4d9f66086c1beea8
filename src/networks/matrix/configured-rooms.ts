/**
 * The rooms the groups name, by alias (`#infra:example.org`) or id. Aliases are resolved through the room
 * directory at start and again later (an alias can be moved to a new room, e.g. after an upgrade), and the
 * bot joins what they point to. Inbound messages from a configured room carry the name as configured, so
 * the core matches them to their group exactly as written; outbound messages may use either form.
 *
 * Removed from a configured room (kicked, or dropped by the server), the bot joins again at once, not at
 * the next send or the next periodic check; a room that keeps removing it is rejoined with growing waits.
 * A ban is reported and left alone: only a room admin can undo it.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { backoffMs, classify } from './failures.js';
import type { Lookup } from './retry.js';
import type { Sleeper } from './sleeper.js';

export interface ConfiguredRoomsDeps {
  readonly client: MatrixClient;
  readonly logger: Logger;
  readonly lookup: Lookup;
  readonly sleeper: Sleeper;
  readonly now: () => number;
  /** Joins a room, retrying until it works or `untilStopped` is false and time is up. */
  join(roomIdOrAlias: string, untilStopped?: boolean): Promise<string>;
}

/** Removals within this window count towards the wait before the next rejoin. */
const REMOVAL_MEMORY_MS = 10 * 60_000;
const REJOIN_BASE_MS = 2_000;
const REJOIN_MAX_MS = 5 * 60_000;

export class ConfiguredRooms {
  private readonly idByName = new Map<string, string>();
  private readonly nameById = new Map<string, string>();
  private readonly client: MatrixClient;
  private readonly logger: Logger;
  /** Recent removals per configured name, for the rejoin backoff. */
  private readonly removals = new Map<string, number[]>();
  private readonly rejoining = new Set<string>();

  constructor(
    readonly names: readonly string[],
    private readonly deps: ConfiguredRoomsDeps,
  ) {
    this.client = deps.client;
    this.logger = deps.logger;
    for (const name of names) if (name.startsWith('!')) this.remember(name, name);
  }

  /** The configured name (alias as written) of a room id, if the room is configured. */
  nameOf(roomId: string): string | undefined {
    return this.nameById.get(roomId);
  }

  isConfigured(roomId: string): boolean {
    return this.nameById.has(roomId);
  }

  /** A known room id for a conversation name, without asking the homeserver. */
  knownId(conversation: string): string | undefined {
    if (conversation.startsWith('!')) return conversation;
    return this.idByName.get(conversation);
  }

  /** The room id for a conversation name; aliases are looked up (again, with `fresh`). */
  async roomIdOf(conversation: string, fresh = false): Promise<string> {
    if (conversation.startsWith('!')) return conversation;
    const known = this.idByName.get(conversation);
    if (known && !fresh) return known;
    if (!conversation.startsWith('#')) throw new Error(`"${conversation}" is neither a room id nor an alias`);
    const roomId = await this.deps.lookup(`look up ${conversation}`, () =>
      this.client.resolveRoom(conversation),
    );
    if (this.names.includes(conversation)) this.remember(conversation, roomId);
    else this.idByName.set(conversation, roomId);
    return roomId;
  }

  /**
   * Resolves every alias afresh and joins every configured room the bot is not in: at start, and then
   * periodically, which also follows an alias moved to another room. Failures are logged and tried again
   * next time (an invite from anyone also gets the bot into a configured room at once).
   */
  async reconcile(joinedRooms: ReadonlySet<string>): Promise<void> {
    for (const name of this.names) {
      const before = this.idByName.get(name);
      try {
        const roomId = await this.roomIdOf(name, true);
        if (before !== undefined && before !== roomId)
          this.logger.info(
            { room: name, from: before, to: roomId },
            'the alias points to a new room; joining it',
          );
        if (!joinedRooms.has(roomId)) await this.deps.join(roomId);
      } catch (error) {
        this.logger.warn(
          { room: name, detail: classify(error).detail },
          'cannot join a configured room yet (invite the bot, or check the alias); will try again',
        );
      }
    }
  }

  /**
   * The bot's membership of `roomId` ended (`membership` leave or ban, by `by`). For a configured room:
   * a ban is reported; otherwise the bot joins again now, after a wait that grows when the room keeps
   * removing it, retrying rate limits and server errors until it is in (or the adapter stops).
   */
  async removed(roomId: string, membership: unknown, by: string, reason: unknown): Promise<void> {
    const name = this.nameOf(roomId);
    if (name === undefined) return;
    const details = { room: name, by, ...(typeof reason === 'string' && reason !== '' ? { reason } : {}) };
    if (membership === 'ban') {
      this.logger.error(
        details,
        'banned from a configured room: not joining again until a room admin lifts the ban',
      );
      return;
    }
    if (this.rejoining.has(name)) return;
    const now = this.deps.now();
    const recent = (this.removals.get(name) ?? []).filter((at) => now - at < REMOVAL_MEMORY_MS);
    recent.push(now);
    this.removals.set(name, recent);
    const wait = recent.length === 1 ? 0 : backoffMs(recent.length - 2, REJOIN_BASE_MS, REJOIN_MAX_MS);
    this.logger.warn({ ...details, waitMs: wait }, 'removed from a configured room; joining it again');
    this.rejoining.add(name);
    try {
      if (wait > 0 && !(await this.deps.sleeper.sleep(wait))) return;
      // Configured by alias: if the alias has moved meanwhile, the bot follows it.
      await this.deps.join(name.startsWith('#') ? await this.roomIdOf(name, true) : roomId, true);
      this.logger.info({ room: name }, 'joined the configured room again');
    } catch (error) {
      const failure = classify(error);
      if (failure.kind !== 'stopped')
        this.logger.warn(
          { room: name, detail: failure.detail },
          'cannot join the configured room again yet (invite the bot); will try again',
        );
    } finally {
      this.rejoining.delete(name);
    }
  }

  private remember(name: string, roomId: string): void {
    const previous = this.idByName.get(name);
    if (previous !== undefined && previous !== roomId) this.nameById.delete(previous);
    this.idByName.set(name, roomId);
    this.nameById.set(roomId, name);
  }
}
