/**
 * The adapters' small durable state (a Matrix sync token, its login token, rooms already told that
 * encryption is refused): held in memory, loaded at start, each change written through the journal. A
 * read sees the latest write at once; the write is stored with the next commit.
 */
import type { Journal } from './journal.js';
import type { KeyValueStore } from './store.js';

export class JournaledKeyValues implements KeyValueStore {
  private readonly values = new Map<string, string>();

  constructor(
    private readonly journal: Journal,
    loaded: Iterable<{ readonly namespace: string; readonly key: string; readonly value: string }> = [],
  ) {
    for (const { namespace, key, value } of loaded) this.values.set(compound(namespace, key), value);
  }

  get(namespace: string, key: string): string | undefined {
    return this.values.get(compound(namespace, key));
  }

  set(namespace: string, key: string, value: string): void {
    this.values.set(compound(namespace, key), value);
    this.journal.record({ keyValues: [{ namespace, key, value }] });
  }

  delete(namespace: string, key: string): void {
    if (!this.values.delete(compound(namespace, key))) return;
    this.journal.record({ keyValues: [{ namespace, key, value: null }] });
  }

  /** Every key of a namespace with its value (for state that must be picked up again at start). */
  entries(namespace: string): Array<[key: string, value: string]> {
    const prefix = compound(namespace, '');
    return [...this.values]
      .filter(([compoundKey]) => compoundKey.startsWith(prefix))
      .map(([compoundKey, value]) => [compoundKey.slice(prefix.length), value]);
  }

  flushed(): Promise<void> {
    return this.journal.barrier().then(() => undefined);
  }
}

const compound = (namespace: string, key: string): string => `${namespace}\u0000${key}`;
