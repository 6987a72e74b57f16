/**
 * A Durable Object's SQLite storage as the store's SnapshotStorage. The stored form is the
 * System snapshot as UTF-8 JSON, split into rows because a SQLite value is limited to 2 MB and a
 * system can be larger (request bodies go up to MAX_BODY_BYTES, about 15.6 MiB). It is read only
 * when the object starts. A write is one transaction that replaces every row or, on a throw, none.
 */
import type { SystemSnapshot } from '../core/index.js';
import type { SnapshotStorage } from '../api/index.js';

/** bytes per row, well below SQLite's 2 MB value limit */
const CHUNK_BYTES = 1024 * 1024;

const SCHEMA = 'CREATE TABLE IF NOT EXISTS system_snapshot (chunk INTEGER PRIMARY KEY, bytes BLOB NOT NULL)';

/** SnapshotStorage in SQLite, which can also say whether anything is stored. */
export interface SqlSnapshotStorage extends SnapshotStorage {
  /** Whether a system is stored (false until the first change, and after a delete); after load(). */
  isStored(): boolean;
}

export function sqlSnapshotStorage(storage: DurableObjectStorage): SqlSnapshotStorage {
  return {
    isStored: () => storage.sql.exec('SELECT 1 FROM system_snapshot LIMIT 1').toArray().length > 0,
    /** The stored snapshot as JSON, or undefined when nothing was stored yet. */
    load: () => {
      storage.sql.exec(SCHEMA);
      const rows = storage.sql.exec<{ bytes: ArrayBuffer }>('SELECT bytes FROM system_snapshot ORDER BY chunk').toArray();
      if (rows.length === 0) return undefined;
      const bytes = new Uint8Array(rows.reduce((size, row) => size + row.bytes.byteLength, 0));
      let offset = 0;
      for (const row of rows) {
        bytes.set(new Uint8Array(row.bytes), offset);
        offset += row.bytes.byteLength;
      }
      return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    },
    persist: (snapshot: SystemSnapshot) => {
      const bytes = new TextEncoder().encode(JSON.stringify(snapshot));
      storage.transactionSync(() => {
        storage.sql.exec('DELETE FROM system_snapshot');
        for (let chunk = 0; chunk * CHUNK_BYTES < bytes.length; chunk++) {
          const part = bytes.slice(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES).buffer;
          storage.sql.exec('INSERT INTO system_snapshot (chunk, bytes) VALUES (?, ?)', chunk, part);
        }
      });
    },
  };
}
