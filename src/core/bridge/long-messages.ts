/**
 * Where the full text of a long relayed message is kept, so that IRC gets its first lines and a link to
 * firebell's own page for the rest (research §5.3: authenticated media links do not open for IRC users).
 * The port is small; `KeyValueLongMessages` keeps the most recent messages in the KeyValueStore, in a ring
 * of slots so storage stays bounded. An id is its slot plus a random token: links cannot be enumerated,
 * and a link whose slot was reused answers 404 rather than someone else's message.
 */
import { randomBytes } from 'node:crypto';
import type { KeyValueStore } from '../store.js';

export interface LongMessage {
  /** The sender as shown: display name or nick, with their id. */
  readonly sender: string;
  readonly network: string;
  readonly conversation: string;
  readonly at: number;
  readonly text: string;
}

export interface LongMessageStore {
  /** Keeps a message; returns the id its page is found under. */
  save(message: LongMessage): string;
  load(id: string): LongMessage | undefined;
}

const NAMESPACE = 'bridge.long-messages';
const ID = /^(\d{1,9})-([A-Za-z0-9_-]{8,64})$/;

export class KeyValueLongMessages implements LongMessageStore {
  constructor(
    private readonly store: KeyValueStore,
    private readonly slots = 10_000,
    private readonly token: () => string = () => randomBytes(12).toString('base64url'),
  ) {}

  save(message: LongMessage): string {
    const slot = Number(this.store.get(NAMESPACE, 'next') ?? '0') % this.slots;
    this.store.set(NAMESPACE, 'next', String(slot + 1));
    const id = `${slot}-${this.token()}`;
    this.store.set(NAMESPACE, String(slot), JSON.stringify({ id, ...message }));
    return id;
  }

  load(id: string): LongMessage | undefined {
    const slot = ID.exec(id)?.[1];
    if (slot === undefined) return undefined;
    const raw = this.store.get(NAMESPACE, String(Number(slot)));
    if (raw === undefined) return undefined;
    try {
      const value = JSON.parse(raw) as Record<string, unknown>;
      const { sender, network, conversation, at, text } = value;
      if (value.id !== id) return undefined;
      if (typeof sender !== 'string' || typeof network !== 'string' || typeof conversation !== 'string')
        return undefined;
      if (typeof at !== 'number' || typeof text !== 'string') return undefined;
      return { sender, network, conversation, at, text };
    } catch {
      return undefined;
    }
  }
}
