/** `StatusStore` on SQLite: the statusbot's alert, saved topics and history. Each call is durable on return. */
import type { Database } from 'better-sqlite3';
import type { Actor } from '../../machines/incident-types.js';
import type { StatusEntry, StatusStore } from '../core/store.js';

interface HistoryRow {
  kind: StatusEntry['kind'];
  text: string;
  actor: string;
  at: number;
}

export class SqliteStatusStore implements StatusStore {
  private readonly statements;

  /** Does not own `db`: whoever opened it closes it. */
  constructor(db: Database) {
    this.statements = {
      getAlert: db.prepare('SELECT entry FROM status_alert WHERE slot = 1').pluck(),
      setAlert: db.prepare(
        'INSERT INTO status_alert (slot, entry) VALUES (1, ?) ON CONFLICT (slot) DO UPDATE SET entry = excluded.entry',
      ),
      clearAlert: db.prepare('DELETE FROM status_alert'),
      getTopic: db.prepare('SELECT topic FROM saved_topics WHERE network = ? AND conversation = ?').pluck(),
      saveTopic: db.prepare(
        'INSERT INTO saved_topics (network, conversation, topic, saved_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      clearTopic: db.prepare('DELETE FROM saved_topics WHERE network = ? AND conversation = ?'),
      record: db.prepare('INSERT INTO status_history (kind, text, actor, at) VALUES (?, ?, ?, ?)'),
      history: db.prepare('SELECT kind, text, actor, at FROM status_history ORDER BY id DESC LIMIT ?'),
    };
  }

  currentAlert(): StatusEntry | undefined {
    const entry = this.statements.getAlert.get() as string | undefined;
    return entry === undefined ? undefined : (JSON.parse(entry) as StatusEntry);
  }

  setAlert(alert: StatusEntry | null): void {
    if (alert === null) this.statements.clearAlert.run();
    else this.statements.setAlert.run(JSON.stringify(alert));
  }

  savedTopic(network: string, conversation: string): string | undefined {
    return this.statements.getTopic.get(network, conversation) as string | undefined;
  }

  saveTopicIfUnsaved(network: string, conversation: string, topic: string, at: number): void {
    this.statements.saveTopic.run(network, conversation, topic, at);
  }

  clearSavedTopic(network: string, conversation: string): void {
    this.statements.clearTopic.run(network, conversation);
  }

  record(entry: StatusEntry): void {
    this.statements.record.run(entry.kind, entry.text, JSON.stringify(entry.by), entry.at);
  }

  history(limit: number): StatusEntry[] {
    return (this.statements.history.all(limit) as HistoryRow[]).map((row) => ({
      kind: row.kind,
      text: row.text,
      by: JSON.parse(row.actor) as Actor,
      at: row.at,
    }));
  }
}
