/**
 * What the other side said while one network was down. Its share is held here, bounded per group and
 * destination (the oldest go first, counted), and handed back on recovery with the numbers for the note
 * "relay was down from T1 to T2; N messages follow, M dropped", so nothing disappears silently.
 */
import type { ConnectionState } from '../network.js';
import type { OutboundMessage } from '../messages.js';
import type { Logger } from '../logger.js';
import type { Outbox } from '../outbox.js';
import { text } from '../rich-text.js';

export interface HeldShare {
  readonly conversation: string;
  readonly messages: readonly OutboundMessage[];
  readonly dropped: number;
}

export interface Recovery {
  readonly network: string;
  readonly since: number;
  readonly until: number;
  readonly shares: readonly HeldShare[];
}

interface Queue {
  readonly network: string;
  readonly conversation: string;
  readonly messages: OutboundMessage[];
  dropped: number;
}

export class OutageQueues {
  private readonly downSince = new Map<string, number>();
  private readonly everConnected = new Set<string>();
  private readonly queues = new Map<string, Queue>();

  constructor(private readonly limitPerGroup: number) {}

  isDown(network: string): boolean {
    return this.downSince.has(network);
  }

  /**
   * Follows a network's connection. Returns the recovery when it comes back after being down. A network
   * that has not connected yet is not "down": its adapter queues what it is sent until it first connects.
   */
  connection(network: string, state: ConnectionState, at: number): Recovery | undefined {
    if (state === 'connected') {
      this.everConnected.add(network);
      const since = this.downSince.get(network);
      if (since === undefined) return undefined;
      this.downSince.delete(network);
      return { network, since, until: at, shares: this.take(network) };
    }
    if (state === 'stopped') {
      this.downSince.delete(network);
      return undefined;
    }
    if (this.everConnected.has(network) && !this.downSince.has(network)) this.downSince.set(network, at);
    return undefined;
  }

  /** Holds a message for a down network; the oldest message of that group's share is dropped when full. */
  hold(groupId: string, message: OutboundMessage & { readonly to: { readonly conversation: string } }): void {
    const key = `${groupId}\n${message.to.network}\n${message.to.conversation}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = {
        network: message.to.network,
        conversation: message.to.conversation,
        messages: [],
        dropped: 0,
      };
      this.queues.set(key, queue);
    }
    queue.messages.push(message);
    if (queue.messages.length > this.limitPerGroup) {
      queue.messages.shift();
      queue.dropped += 1;
    }
  }

  /** Everything still held, for the log at shutdown. */
  heldCount(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.messages.length;
    return count;
  }

  private take(network: string): HeldShare[] {
    const shares: HeldShare[] = [];
    for (const [key, queue] of this.queues) {
      if (queue.network !== network) continue;
      this.queues.delete(key);
      shares.push({ conversation: queue.conversation, messages: queue.messages, dropped: queue.dropped });
    }
    return shares;
  }
}

/** "relay was down from 15:02:10 to 15:09:45 UTC; 3 messages follow, 0 dropped" */
export function outageNote(since: number, until: number, follow: number, dropped: number): string {
  const from = new Date(since).toISOString();
  const to = new Date(until).toISOString();
  const sameDay = from.slice(0, 10) === to.slice(0, 10);
  const clock = (iso: string): string => iso.slice(11, 19);
  const start = sameDay ? clock(from) : `${from.slice(0, 10)} ${clock(from)}`;
  const end = sameDay ? clock(to) : `${to.slice(0, 10)} ${clock(to)}`;
  const messages = `${follow} message${follow === 1 ? '' : 's'} follow${follow === 1 ? 's' : ''}`;
  return `relay was down from ${start} to ${end} UTC; ${messages}, ${dropped} dropped`;
}

/** Sends what was held for a network that is back: per place, a note of how many follow, then them. */
export function relayHeld(network: string, recovery: Recovery, outbox: Outbox, logger: Logger): void {
  for (const share of recovery.shares) {
    if (share.messages.length + share.dropped === 0) continue;
    logger.info(
      { network, conversation: share.conversation, held: share.messages.length, dropped: share.dropped },
      'relaying what was held while the network was down',
    );
    outbox.send({
      to: { network, conversation: share.conversation },
      body: [text(outageNote(recovery.since, recovery.until, share.messages.length, share.dropped))],
      style: 'notice',
      priority: 'normal',
      purpose: 'relay-outage',
    });
    for (const message of share.messages) outbox.send(message);
  }
}
