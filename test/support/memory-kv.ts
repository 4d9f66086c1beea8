/**
 * An in-memory KeyValueStore for the adapters' tests, with the same contract as the journaled one the core
 * gives them (reads see writes at once). `writes` counts mutations so tests can check that an adapter
 * writes little.
 */
import type { KeyValueStore } from '../../src/core/store.js';

export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
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

  flushed(): Promise<void> {
    return Promise.resolve();
  }

  /** Every key in a namespace, for assertions. */
  keys(namespace: string): string[] {
    const prefix = `${namespace}\u0000`;
    return [...this.values.keys()].filter((id) => id.startsWith(prefix)).map((id) => id.slice(prefix.length));
  }
}

const compound = (namespace: string, key: string): string => `${namespace}\u0000${key}`;
