/**
 * Where the full text of a long relayed message is kept, so that IRC gets its first lines and a link to
 * firebell's own page for the rest (research §5.3: authenticated media links do not open for IRC users).
 * `JournaledLongMessages` keeps the most recent messages in the store, in a ring of slots so storage stays
 * bounded; the bodies are read from the store when a page is asked for (never all held in memory), and the
 * ring's position is small key-value state. An id is its slot plus a random token: links cannot be
 * enumerated, and a link whose slot was reused answers 404 rather than someone else's message.
 */
import { randomBytes } from 'node:crypto';
import type { Journal } from '../journal.js';
import type { KeyValueStore, LongMessageRow, Store } from '../store.js';

export interface LongMessage {
  /** The sender as shown: display name or nick, with their id. */
  readonly sender: string;
  readonly network: string;
  readonly conversation: string;
  readonly at: number;
  readonly text: string;
}

export interface LongMessageStore {
  /** Keeps a message (stored with the next commit); returns the id its page is found under. */
  save(message: LongMessage): string;
  load(id: string): Promise<LongMessage | undefined>;
}

const NAMESPACE = 'bridge.long-messages';
const ID = /^(\d{1,9})-([A-Za-z0-9_-]{8,64})$/;

export interface LongMessagesDeps {
  readonly journal: Journal;
  readonly store: Pick<Store, 'longMessage'>;
  /** Holds the ring's next slot. */
  readonly keyValues: KeyValueStore;
  readonly slots?: number;
  readonly token?: () => string;
}

export class JournaledLongMessages implements LongMessageStore {
  private readonly slots: number;
  private readonly token: () => string;
  /** Saved, not yet committed, by slot: a page asked for at once is found here. */
  private readonly uncommitted = new Map<number, LongMessageRow>();

  constructor(private readonly deps: LongMessagesDeps) {
    this.slots = deps.slots ?? 10_000;
    this.token = deps.token ?? (() => randomBytes(12).toString('base64url'));
  }

  save(message: LongMessage): string {
    const { keyValues, journal } = this.deps;
    const slot = Number(keyValues.get(NAMESPACE, 'next') ?? '0') % this.slots;
    keyValues.set(NAMESPACE, 'next', String(slot + 1));
    const id = `${slot}-${this.token()}`;
    const row: LongMessageRow = { slot, id, message: JSON.stringify(message) };
    this.uncommitted.set(slot, row);
    journal.record({ longMessages: [row] }, () => {
      if (this.uncommitted.get(slot) === row) this.uncommitted.delete(slot);
    });
    return id;
  }

  async load(id: string): Promise<LongMessage | undefined> {
    const slot = ID.exec(id)?.[1];
    if (slot === undefined) return undefined;
    const row = this.uncommitted.get(Number(slot)) ?? (await this.deps.store.longMessage(Number(slot)));
    if (row?.id !== id) return undefined;
    try {
      const value = JSON.parse(row.message) as Record<string, unknown>;
      const { sender, network, conversation, at, text } = value;
      if (typeof sender !== 'string' || typeof network !== 'string' || typeof conversation !== 'string')
        return undefined;
      if (typeof at !== 'number' || typeof text !== 'string') return undefined;
      return { sender, network, conversation, at, text };
    } catch {
      return undefined;
    }
  }
}
