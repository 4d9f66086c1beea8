/**
 * Channel groups: the IRC channels and Matrix rooms that are linked into one conversation. Incidents belong
 * to a group; announcements go to every member; command replies go to every side of the group.
 */
import { NetworkNames } from './casemapping.js';
import type { ConversationRef } from './messages.js';
import type { Group } from './settings.js';

export interface GroupMember {
  readonly network: string;
  readonly conversation: string;
  readonly topic: boolean;
  readonly status: boolean;
}

export class Groups {
  constructor(
    readonly all: readonly Group[],
    /** How each network compares names (IRC by its server's CASEMAPPING). */
    readonly names: NetworkNames = new NetworkNames(),
  ) {}

  get(id: string): Group | undefined {
    return this.all.find((group) => group.id === id);
  }

  /** The group a channel or room belongs to; direct conversations belong to none. */
  of(conversation: ConversationRef): Group | undefined {
    if (conversation.direct) return undefined;
    return this.all.find((group) =>
      group.members.some(
        (member) =>
          member.network === conversation.network &&
          this.sameConversation(member.network, member.conversation, conversation.id),
      ),
    );
  }

  members(groupId: string): readonly GroupMember[] {
    return this.get(groupId)?.members ?? [];
  }

  /** Where incidents declared in a private message are announced: the first group. */
  get primary(): Group {
    const first = this.all[0];
    if (!first) throw new Error('no channel groups configured');
    return first;
  }

  /** Whether two names of a channel or room on `network` are the same one (IRC: the server's casemapping). */
  sameConversation(network: string, configured: string, actual: string): boolean {
    return this.names.same(network, configured, actual);
  }
}
