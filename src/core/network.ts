/**
 * The one interface every chat network implements: the shell, IRC and Matrix. The core speaks only this.
 * Adapters own their lifecycle (connect, reconnect with backoff, pacing, queues) and never throw from
 * `send`: a message is queued and either delivered or, for droppable lanes, counted as dropped.
 */
import type {
  InboundMessage,
  InboundReaction,
  MembershipChange,
  NetworkKind,
  OutboundMessage,
} from './messages.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export type TopicResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface NetworkEvents {
  message(message: InboundMessage): void;
  reaction?(reaction: InboundReaction): void;
  membership?(change: MembershipChange): void;
  connection?(state: ConnectionState, at: number, detail?: string): void;
  /** An outbound message reached the server; `messageIds` are the network's ids for what was sent. */
  delivered?(message: OutboundMessage, messageIds: readonly string[]): void;
}

export interface ChatNetwork {
  /** The network instance id from the config (`libera`, `matrix`, `shell`). */
  readonly id: string;
  readonly kind: NetworkKind;
  /** Starts connecting; resolves once the adapter is running (it keeps reconnecting on its own). */
  start(events: NetworkEvents): Promise<void>;
  /** Stops, clears every timer, says goodbye where the protocol has a way to. */
  stop(): Promise<void>;
  /** Queues a message; never throws. What is queued survives reconnects. */
  send(message: OutboundMessage): void;
  getTopic(conversation: string): Promise<string | undefined>;
  setTopic(conversation: string, topic: string): Promise<TopicResult>;
  connectionState(): ConnectionState;
}
