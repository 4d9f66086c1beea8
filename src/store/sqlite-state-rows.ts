/**
 * The small state's rows on SQLite: the adapters' key-value pairs, the statusbot's alert, saved topics and
 * history (migration 002), inbound messages handled and long relayed messages (migration 003), ack links
 * used (migration 004). The caller
 * holds the transaction for writes.
 */
import type { SqliteDatabase as Database } from './sqlite-driver.js';
import type { Actor } from '../../machines/incident-types.js';
import type { LongMessageRow, StatusEntry, StoreBatch } from '../core/store.js';

interface HistoryRow {
  kind: StatusEntry['kind'];
  text: string;
  actor: string;
  at: number;
}

export class SqliteStateRows {
  private readonly s;

  constructor(db: Database) {
    this.s = {
      allValues: db.prepare('SELECT namespace, key, value FROM kv'),
      setValue: db.prepare(
        `INSERT INTO kv (namespace, key, value) VALUES (?, ?, ?)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value`,
      ),
      deleteValue: db.prepare('DELETE FROM kv WHERE namespace = ? AND key = ?'),
      getAlert: db.prepare('SELECT entry FROM status_alert WHERE slot = 1').pluck(),
      setAlert: db.prepare(
        'INSERT INTO status_alert (slot, entry) VALUES (1, ?) ON CONFLICT (slot) DO UPDATE SET entry = excluded.entry',
      ),
      clearAlert: db.prepare('DELETE FROM status_alert'),
      allTopics: db.prepare('SELECT network, conversation, topic FROM saved_topics'),
      // The first saved topic stands: a second alert must not save the first alert's text as "the topic".
      saveTopic: db.prepare(
        'INSERT INTO saved_topics (network, conversation, topic, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      clearTopic: db.prepare('DELETE FROM saved_topics WHERE network = ? AND conversation = ?'),
      record: db.prepare('INSERT INTO status_history (kind, text, actor, at) VALUES (?, ?, ?, ?)'),
      history: db.prepare('SELECT kind, text, actor, at FROM status_history ORDER BY id DESC LIMIT ?'),
      // The first handling stands: a replay does not extend how long a message is remembered.
      markHandled: db.prepare('INSERT INTO handled (durable_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      isHandled: db.prepare('SELECT 1 FROM handled WHERE durable_id = ?').pluck(),
      pruneHandled: db.prepare('DELETE FROM handled WHERE at < ?'),
      putLongMessage: db.prepare(
        `INSERT INTO long_messages (slot, id, message) VALUES (?, ?, ?)
         ON CONFLICT (slot) DO UPDATE SET id = excluded.id, message = excluded.message`,
      ),
      getLongMessage: db.prepare('SELECT slot, id, message FROM long_messages WHERE slot = ?'),
      // A second use of a link is refused before it is recorded; a replayed batch changes nothing.
      useAckLink: db.prepare(
        'INSERT INTO used_ack_links (link_id, incident_id, contact_id, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      isAckLinkUsed: db.prepare('SELECT 1 FROM used_ack_links WHERE link_id = ?').pluck(),
      pruneAckLinks: db.prepare('DELETE FROM used_ack_links WHERE at < ?'),
    };
  }

  /** The batch's writes to the small state, in the batch's order. */
  write(batch: StoreBatch): void {
    const { s } = this;
    for (const { durableId, at } of batch.handled) s.markHandled.run(durableId, at);
    for (const { namespace, key, value } of batch.keyValues) {
      if (value === null) s.deleteValue.run(namespace, key);
      else s.setValue.run(namespace, key, value);
    }
    if (batch.alert === null) s.clearAlert.run();
    else if (batch.alert !== undefined) s.setAlert.run(JSON.stringify(batch.alert));
    for (const { network, conversation, topic, at } of batch.savedTopics) {
      if (topic === null) s.clearTopic.run(network, conversation);
      else s.saveTopic.run(network, conversation, topic, at);
    }
    for (const entry of batch.statusHistory)
      s.record.run(entry.kind, entry.text, JSON.stringify(entry.by), entry.at);
    for (const { slot, id, message } of batch.longMessages) s.putLongMessage.run(slot, id, message);
    for (const link of batch.usedAckLinks)
      s.useAckLink.run(link.linkId, link.incidentId, link.contactId, link.at);
    if (batch.prune) {
      s.pruneHandled.run(batch.prune.handledBefore);
      s.pruneAckLinks.run(batch.prune.handledBefore);
    }
  }

  keyValues(): Array<{ namespace: string; key: string; value: string }> {
    return this.s.allValues.all() as Array<{ namespace: string; key: string; value: string }>;
  }

  alert(): StatusEntry | undefined {
    const entry = this.s.getAlert.get() as string | undefined;
    return entry === undefined ? undefined : (JSON.parse(entry) as StatusEntry);
  }

  savedTopics(): Array<{ network: string; conversation: string; topic: string }> {
    return this.s.allTopics.all() as Array<{ network: string; conversation: string; topic: string }>;
  }

  history(limit: number): StatusEntry[] {
    return (this.s.history.all(limit) as HistoryRow[]).map((row) => ({
      kind: row.kind,
      text: row.text,
      by: JSON.parse(row.actor) as Actor,
      at: row.at,
    }));
  }

  handled(durableId: string): boolean {
    return this.s.isHandled.get(durableId) !== undefined;
  }

  ackLinkUsed(linkId: string): boolean {
    return this.s.isAckLinkUsed.get(linkId) !== undefined;
  }

  longMessage(slot: number): LongMessageRow | undefined {
    return this.s.getLongMessage.get(slot) as LongMessageRow | undefined;
  }
}
