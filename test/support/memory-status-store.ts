/** An in-memory StatusStore for core tests; the SQLite one has its own tests on real files. */
import type { StatusEntry, StatusStore } from '../../src/core/store.js';

export class MemoryStatusStore implements StatusStore {
  alert: StatusEntry | undefined;
  readonly topics = new Map<string, string>();
  readonly entries: StatusEntry[] = [];

  currentAlert(): StatusEntry | undefined {
    return this.alert;
  }
  setAlert(alert: StatusEntry | null): void {
    this.alert = alert ?? undefined;
  }
  savedTopic(network: string, conversation: string): string | undefined {
    return this.topics.get(`${network} ${conversation}`);
  }
  saveTopicIfUnsaved(network: string, conversation: string, topic: string): void {
    const key = `${network} ${conversation}`;
    if (!this.topics.has(key)) this.topics.set(key, topic);
  }
  clearSavedTopic(network: string, conversation: string): void {
    this.topics.delete(`${network} ${conversation}`);
  }
  record(entry: StatusEntry): void {
    this.entries.push(entry);
  }
  history(limit: number): StatusEntry[] {
    return [...this.entries].reverse().slice(0, limit);
  }
}
