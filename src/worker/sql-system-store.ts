/**
 * A SystemStore in a Durable Object's SQLite storage. The stored form is the System snapshot
 * as UTF-8 JSON, split into rows because a SQLite value is limited to 2 MB and a system can be
 * larger (request bodies go up to 5 MB). The decoded System is kept in memory; storage is read
 * only when the object starts.
 *
 * SQLite storage is synchronous, so each operation runs to completion without yielding:
 * operations cannot interleave, and a write is one transaction that replaces every row or, on
 * a throw, none (and then the system in memory stays as it was too).
 */
import { System, type SystemSnapshot } from '../core/index.js';
import type { SystemStore } from '../api/index.js';

/** bytes per row, well below SQLite's 2 MB value limit */
const CHUNK_BYTES = 1024 * 1024;

const SCHEMA = 'CREATE TABLE IF NOT EXISTS system_snapshot (chunk INTEGER PRIMARY KEY, bytes BLOB NOT NULL)';

export class SqlSystemStore implements SystemStore {
  private loaded: System | undefined;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Reads the stored system; `initial` is the system until something is stored. */
  load(initial: () => System): void {
    this.storage.sql.exec(SCHEMA);
    this.loaded = this.storedSystem() ?? initial();
  }

  /** Whether a system is stored (false until the first change, and after a delete). */
  isStored(): boolean {
    return this.storage.sql.exec('SELECT 1 FROM system_snapshot LIMIT 1').toArray().length > 0;
  }

  // async for the interface only: no body awaits, so each runs whole when called
  async read(): Promise<System> {
    return this.system.clone();
  }

  async update<T>(fn: (system: System) => T): Promise<T> {
    // fn works on a copy, so that a throw part-way leaves nothing half-applied
    const next = this.system.clone();
    const result = fn(next);
    this.write(next.toSnapshot());
    this.loaded = next;
    return result;
  }

  async replace(system: System): Promise<void> {
    // the snapshot is the copy: the caller may go on changing `system`
    const snapshot = system.toSnapshot();
    this.write(snapshot);
    this.loaded = System.fromSnapshot(snapshot);
  }

  private get system(): System {
    if (!this.loaded) throw new Error('the system store was used before load()');
    return this.loaded;
  }

  /** The stored system, or undefined when nothing was stored yet. */
  private storedSystem(): System | undefined {
    const rows = this.storage.sql.exec<{ bytes: ArrayBuffer }>('SELECT bytes FROM system_snapshot ORDER BY chunk').toArray();
    if (rows.length === 0) return undefined;
    const bytes = new Uint8Array(rows.reduce((size, row) => size + row.bytes.byteLength, 0));
    let offset = 0;
    for (const row of rows) {
      bytes.set(new Uint8Array(row.bytes), offset);
      offset += row.bytes.byteLength;
    }
    return System.fromSnapshot(JSON.parse(new TextDecoder().decode(bytes)) as SystemSnapshot);
  }

  /** Replaces the stored rows with `snapshot`, in one transaction (none replaced if it throws). */
  private write(snapshot: SystemSnapshot): void {
    const bytes = new TextEncoder().encode(JSON.stringify(snapshot));
    this.storage.transactionSync(() => {
      this.storage.sql.exec('DELETE FROM system_snapshot');
      for (let chunk = 0; chunk * CHUNK_BYTES < bytes.length; chunk++) {
        const part = bytes.slice(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES).buffer;
        this.storage.sql.exec('INSERT INTO system_snapshot (chunk, bytes) VALUES (?, ?)', chunk, part);
      }
    });
  }
}
