/**
 * The one interface every chat network implements: the shell, IRC and Matrix. The core speaks only this.
 * Adapters own their lifecycle (connect, reconnect with backoff, pacing, lanes) and deliver what the
 * outbox hands them (delivery.ts): messages and topic changes, each settled with an outcome, never a throw.
 */
import type { CaseMapping } from './casemapping.js';
import type { DeliveryChannel } from './delivery.js';
import type { InboundMessage, InboundReaction, MembershipChange, NetworkKind } from './messages.js';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

export type TopicResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export interface NetworkEvents {
  /**
   * Resolves (never rejects) once the message's handling is committed: the transitions it caused, the
   * replies it produced and, for a message with a `durableId`, the record that it was handled. An adapter
   * that can be sent the same message again after a restart (Matrix) waits for this before it moves on.
   */
  message(message: InboundMessage): Promise<void> | void;
  /** Like `message`, may resolve once its handling (a ✅ that acknowledges) is committed. */
  reaction?(reaction: InboundReaction): Promise<void> | void;
  membership?(change: MembershipChange): void;
  connection?(state: ConnectionState, at: number, detail?: string): void;
}

export interface ChatNetwork extends DeliveryChannel {
  /** The network instance id from the config (`libera`, `matrix`, `shell`). */
  readonly id: string;
  readonly kind: NetworkKind;
  /** Starts connecting; resolves once the adapter is running (it keeps reconnecting on its own). */
  start(events: NetworkEvents): Promise<void>;
  /** Stops, clears every timer, says goodbye where the protocol has a way to. */
  stop(): Promise<void>;
  getTopic(conversation: string): Promise<string | undefined>;
  connectionState(): ConnectionState;
  /** How the server compares nicks and channels (IRC: its ISUPPORT CASEMAPPING, rfc1459 until known). */
  caseMapping?(): CaseMapping;
}
