/**
 * Events as the test homeserver stores them, and as it serialises them for clients (CS API v1.18
 * "Room Events": ClientEvent, ClientEventWithoutRoomID, StrippedStateEvent; "Redactions" for what a
 * redaction keeps).
 */
import { randomBytes } from 'node:crypto';

export type Content = Record<string, unknown>;

export interface StoredEvent {
  readonly event_id: string;
  readonly room_id: string;
  readonly type: string;
  readonly sender: string;
  readonly origin_server_ts: number;
  content: Content;
  readonly state_key?: string;
  /** Room versions 1-10 carry `redacts` at the top level of a redaction. */
  readonly redacts?: string;
  /** Stream position: the order /sync delivers things in. */
  readonly pos: number;
  /** The device (`deviceKey`) and transaction id that sent it, for `unsigned.transaction_id`. */
  readonly txn?: { readonly device: string; readonly txnId: string };
  prevContent?: Content;
  redactedBecause?: StoredEvent;
}

export const randomId = (bytes = 12): string => randomBytes(bytes).toString('base64url');

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

/** ClientEvent: what `/rooms/{roomId}/event/{eventId}` and `/state` return; `/sync` drops `room_id`. */
export function clientEvent(
  event: StoredEvent,
  viewer: { device?: string; now: number },
  withRoomId = true,
): Record<string, unknown> {
  const unsigned: Record<string, unknown> = { age: Math.max(0, viewer.now - event.origin_server_ts) };
  if (event.txn && viewer.device !== undefined && event.txn.device === viewer.device)
    unsigned.transaction_id = event.txn.txnId;
  if (event.prevContent) unsigned.prev_content = event.prevContent;
  if (event.redactedBecause)
    unsigned.redacted_because = clientEvent(event.redactedBecause, viewer, withRoomId);
  return {
    event_id: event.event_id,
    ...(withRoomId ? { room_id: event.room_id } : {}),
    type: event.type,
    sender: event.sender,
    origin_server_ts: event.origin_server_ts,
    content: event.content,
    ...(event.state_key === undefined ? {} : { state_key: event.state_key }),
    ...(event.redacts === undefined ? {} : { redacts: event.redacts }),
    unsigned,
  };
}

/** StrippedStateEvent, for `invite_state`. */
export const strippedEvent = (event: StoredEvent): Record<string, unknown> => ({
  type: event.type,
  state_key: event.state_key ?? '',
  content: event.content,
  sender: event.sender,
});

// Room versions 1-10 redaction algorithm: the content keys that survive a redaction, per event type.
const KEPT_CONTENT: Record<string, readonly string[]> = {
  'm.room.member': ['membership'],
  'm.room.create': ['creator'],
  'm.room.join_rules': ['join_rule'],
  'm.room.power_levels': [
    'ban',
    'events',
    'events_default',
    'kick',
    'redact',
    'state_default',
    'users',
    'users_default',
  ],
  'm.room.history_visibility': ['history_visibility'],
};

export function redactContent(event: StoredEvent): Content {
  const kept = KEPT_CONTENT[event.type] ?? [];
  return Object.fromEntries(Object.entries(event.content).filter(([key]) => kept.includes(key)));
}
