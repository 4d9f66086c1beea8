/**
 * `Speaker`: the group fan-out and the "reply on every side" rule in one place, so no caller builds
 * destinations by hand; and where an incident's words go into its thread (networks with threads).
 */
import type { RichText } from './rich-text.js';
import type { Groups } from './groups.js';
import type { ConversationRef, OutboundMessage, PersonRef } from './messages.js';
import type { Outbox, SendOptions } from './outbox.js';
import type { Group } from './settings.js';

function outbound(to: OutboundMessage['to'], body: RichText, options: SendOptions): OutboundMessage {
  return {
    to,
    body,
    style: options.style ?? 'notice',
    priority: options.priority,
    purpose: options.purpose,
    ...(options.incidentId === undefined ? {} : { incidentId: options.incidentId }),
    ...(options.replyTo === undefined ? {} : { replyTo: options.replyTo }),
    ...(options.incidentThread === undefined ? {} : { incidentThread: options.incidentThread }),
    ...(options.threadRoot === undefined ? {} : { threadRoot: options.threadRoot }),
  };
}

export class Speaker {
  constructor(
    private readonly outbox: Outbox,
    private readonly groups: Groups,
    /** Whether a network has threads and edits (Matrix): an incident's words there are threaded, edited. */
    private readonly threadable: (network: string) => boolean = () => false,
  ) {}

  /** To every channel and room of a group. */
  toGroup(groupId: string, body: RichText, options: SendOptions): void {
    const group = this.groups.get(groupId);
    for (const member of this.groups.members(groupId)) {
      void this.outbox.send(
        outbound(
          { network: member.network, conversation: member.conversation },
          body,
          this.threaded(group, member.network, options),
        ),
      );
    }
  }

  /** To one conversation: a channel, a room, or a direct conversation (IRC nick, Matrix DM room). */
  toConversation(conversation: ConversationRef, body: RichText, options: SendOptions): void {
    const group = this.groups.of(conversation);
    void this.outbox.send(
      outbound(
        { network: conversation.network, conversation: conversation.id },
        body,
        this.threaded(group, conversation.network, options),
      ),
    );
  }

  /**
   * Edits an incident's announcement, in every room of its group on a network that can edit. `render` is
   * called once, and only when there is such a room: a group on IRC alone has nothing to edit.
   */
  editAnnouncement(groupId: string, incidentId: number, render: () => RichText): void {
    let body: RichText | undefined;
    for (const member of this.groups.members(groupId)) {
      if (!this.threadable(member.network)) continue;
      body ??= render();
      void this.outbox.editAnnouncement(member.network, member.conversation, incidentId, body);
    }
  }

  /**
   * Keeps `incidentThread` where it applies: announcements on networks with threads (their event ids make
   * the threads and the edits), follow-ups there too unless the group turned `matrixThreads` off.
   */
  private threaded(group: Group | undefined, network: string, options: SendOptions): SendOptions {
    const { incidentThread, ...unthreaded } = options;
    if (incidentThread === undefined) return options;
    const applies = this.threadable(network) && (incidentThread === 'root' || group?.matrixThreads !== false);
    return applies ? options : unthreaded;
  }

  /**
   * A reply to something typed in a conversation. In a relayed group it is answered once on every side
   * (commands are not relayed, so the other side would otherwise see an answer to nothing).
   */
  reply(conversation: ConversationRef, body: RichText, options: SendOptions): void {
    const group = this.groups.of(conversation);
    if (!group?.relay) {
      this.toConversation(conversation, body, options);
      return;
    }
    const { replyTo: _replyTo, threadRoot: _threadRoot, ...elsewhere } = options;
    for (const member of group.members) {
      const origin =
        member.network === conversation.network &&
        this.groups.sameConversation(member.network, member.conversation, conversation.id);
      const to = { network: member.network, conversation: origin ? conversation.id : member.conversation };
      void this.outbox.send(outbound(to, body, origin ? options : elsewhere));
    }
  }

  /** A private message: no incident thread there (threads live in the group's rooms). */
  toPerson(network: string, person: PersonRef, body: RichText, options: SendOptions): void {
    const { incidentThread: _incidentThread, ...direct } = options;
    void this.outbox.send(outbound({ network, person }, body, direct));
  }
}
