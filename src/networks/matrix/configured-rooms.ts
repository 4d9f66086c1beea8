/**
 * The rooms the groups name, by alias (`#infra:example.org`) or id. Aliases are resolved through the room
 * directory at start and again later (an alias can be moved to a new room, e.g. after an upgrade), and the
 * bot joins what they point to. Inbound messages from a configured room carry the name as configured, so
 * the core matches them to their group exactly as written; outbound messages may use either form.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { Logger } from '../../core/logger.js';
import { classify } from './failures.js';

export class ConfiguredRooms {
  private readonly idByName = new Map<string, string>();
  private readonly nameById = new Map<string, string>();

  constructor(
    private readonly client: MatrixClient,
    readonly names: readonly string[],
    private readonly logger: Logger,
    /** Joins a room (and notes the join time); returns the room id. */
    private readonly join: (roomIdOrAlias: string) => Promise<string>,
  ) {
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
    const roomId = await this.client.resolveRoom(conversation);
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
        if (!joinedRooms.has(roomId)) await this.join(roomId);
      } catch (error) {
        this.logger.warn(
          { room: name, detail: classify(error).detail },
          'cannot join a configured room yet (invite the bot, or check the alias); will try again',
        );
      }
    }
  }

  private remember(name: string, roomId: string): void {
    const previous = this.idByName.get(name);
    if (previous !== undefined && previous !== roomId) this.nameById.delete(previous);
    this.idByName.set(name, roomId);
    this.nameById.set(roomId, name);
  }
}
