/**
 * An in-memory KeyValueStore for tests, with the same contract as the SQLite one: `markSeen` answers
 * whether a key was new, `pruneSeen` forgets old ones. `writes` counts mutations so tests can check that
 * an adapter writes little.
 */
import type { KeyValueStore } from '../../src/core/store.js';

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  private readonly seen = new Map<string, number>();
  writes = 0;

  get(namespace: string, key: string): string | undefined {
    return this.values.get(compound(namespace, key));
  }

  set(namespace: string, key: string, value: string): void {
    this.writes += 1;
    this.values.set(compound(namespace, key), value);
  }

  delete(namespace: string, key: string): void {
    this.writes += 1;
    this.values.delete(compound(namespace, key));
  }

  markSeen(namespace: string, key: string, at: number): boolean {
    const id = compound(namespace, key);
    if (this.seen.has(id)) return false;
    this.writes += 1;
    this.seen.set(id, at);
    return true;
  }

  pruneSeen(namespace: string, before: number): void {
    for (const [id, at] of this.seen) {
      if (id.startsWith(`${namespace}\u0000`) && at < before) this.seen.delete(id);
    }
  }

  /** Every key in a namespace, for assertions. */
  keys(namespace: string): string[] {
    const prefix = `${namespace}\u0000`;
    return [...this.values.keys()].filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
  }
}

const compound = (namespace: string, key: string): string => `${namespace}\u0000${key}`;
