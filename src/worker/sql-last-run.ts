/**
 * The record of a system's last optimization (GET /metrics), in its Durable Object's SQLite
 * storage beside the system, so that it outlives the object's instance. One row, as JSON.
 */
import { OptimizationRecordSchema, type LastRunStore, type OptimizationRecord } from '../api/index.js';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS last_optimization (id INTEGER PRIMARY KEY CHECK (id = 0), record TEXT NOT NULL)';

export class SqlLastRunStore implements LastRunStore {
  /** undefined until read; null when nothing is stored */
  private cached: OptimizationRecord | null | undefined;

  constructor(private readonly sql: SqlStorage) {
    sql.exec(SCHEMA);
  }

  load(): OptimizationRecord | undefined {
    if (this.cached === undefined) {
      const row = this.sql.exec<{ record: string }>('SELECT record FROM last_optimization WHERE id = 0').toArray()[0];
      this.cached = row ? this.parse(row.record) : null;
    }
    return this.cached ?? undefined;
  }

  save(record: OptimizationRecord): void {
    this.sql.exec('INSERT OR REPLACE INTO last_optimization (id, record) VALUES (0, ?)', JSON.stringify(record));
    this.cached = record;
  }

  /** After the system's tables were dropped (deleteSystem): no record, and a table to write the next one. */
  forget(): void {
    this.sql.exec(SCHEMA);
    this.cached = null;
  }

  /** A stored record that no longer reads (a change of its format) counts as none. */
  private parse(text: string): OptimizationRecord | null {
    try {
      const parsed = OptimizationRecordSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: as unreadable as a record of another shape
    }
    console.error('ignoring a stored record of the last optimization that does not read');
    return null;
  }
}
