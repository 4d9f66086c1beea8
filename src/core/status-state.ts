/**
 * The statusbot's durable state: the alert that is up and each channel's topic from before it, held in
 * memory (loaded at start) and written through the journal, so a `#status alert` is stored in the same
 * commit as the notices it sends; the status history is appended the same way and read from the store.
 */
import type { Journal } from './journal.js';
import type { StatusEntry, StatusStore, Store } from './store.js';

export class JournaledStatus implements StatusStore {
  private alert: StatusEntry | undefined;
  private readonly topics = new Map<string, string>();
  /** Recorded, not yet committed: `history` shows them too. */
  private readonly uncommitted: StatusEntry[] = [];

  constructor(
    private readonly journal: Journal,
    private readonly store: Pick<Store, 'statusHistory'>,
    loaded: {
      readonly alert: StatusEntry | undefined;
      readonly savedTopics: Iterable<{ network: string; conversation: string; topic: string }>;
    } = { alert: undefined, savedTopics: [] },
  ) {
    this.alert = loaded.alert;
    for (const { network, conversation, topic } of loaded.savedTopics)
      this.topics.set(topicKey(network, conversation), topic);
  }

  currentAlert(): StatusEntry | undefined {
    return this.alert;
  }

  setAlert(alert: StatusEntry | null): void {
    this.alert = alert ?? undefined;
    this.journal.record({ alert });
  }

  savedTopic(network: string, conversation: string): string | undefined {
    return this.topics.get(topicKey(network, conversation));
  }

  saveTopicIfUnsaved(network: string, conversation: string, topic: string, at: number): void {
    const key = topicKey(network, conversation);
    if (this.topics.has(key)) return;
    this.topics.set(key, topic);
    this.journal.record({ savedTopics: [{ network, conversation, topic, at }] });
  }

  clearSavedTopic(network: string, conversation: string): void {
    if (!this.topics.delete(topicKey(network, conversation))) return;
    this.journal.record({ savedTopics: [{ network, conversation, topic: null, at: 0 }] });
  }

  record(entry: StatusEntry): void {
    this.uncommitted.push(entry);
    this.journal.record({ statusHistory: [entry] }, () => {
      this.uncommitted.splice(this.uncommitted.indexOf(entry), 1);
    });
  }

  /** Most recent first, including what was recorded and is not committed yet. */
  async history(limit: number): Promise<StatusEntry[]> {
    const stored = await this.store.statusHistory(limit);
    // Taken after the read: an entry committed meanwhile has left this list (and may be missing from the
    // read, with a store that commits concurrently; it is never shown twice).
    const waiting = [...this.uncommitted].reverse();
    return [...waiting, ...stored].slice(0, limit);
  }
}

const topicKey = (network: string, conversation: string): string => `${network}\u0000${conversation}`;
