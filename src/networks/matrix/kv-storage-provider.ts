/**
 * matrix-bot-sdk's storage (sync token, filter, small values) kept in firebell's KeyValueStore, so it lives
 * in the same SQLite file as everything else and each write is one atomic statement, instead of the SDK's
 * JSON file rewritten non-atomically on every sync. Writes are few: the token only when it changed.
 */
import type { IFilterInfo, IStorageProvider } from 'matrix-bot-sdk';
import type { KeyValueStore } from '../../core/store.js';

export class KeyValueStorageProvider implements IStorageProvider {
  constructor(
    private readonly kv: KeyValueStore,
    private readonly namespace: string,
  ) {}

  setSyncToken(token: string | null): void {
    if (token === null) {
      if (this.kv.get(this.namespace, 'syncToken') !== undefined) this.kv.delete(this.namespace, 'syncToken');
    } else if (this.kv.get(this.namespace, 'syncToken') !== token)
      this.kv.set(this.namespace, 'syncToken', token);
  }

  getSyncToken(): string | null {
    return this.kv.get(this.namespace, 'syncToken') ?? null;
  }

  setFilter(filter: IFilterInfo): void {
    this.kv.set(this.namespace, 'filter', JSON.stringify(filter));
  }

  getFilter(): IFilterInfo {
    const stored = this.kv.get(this.namespace, 'filter');
    // The SDK treats a missing filter as "create one", though its type does not admit null.
    return (stored === undefined ? null : JSON.parse(stored)) as IFilterInfo;
  }

  storeValue(key: string, value: string): void {
    this.kv.set(this.namespace, `value:${key}`, value);
  }

  readValue(key: string): string | undefined {
    return this.kv.get(this.namespace, `value:${key}`);
  }
}
