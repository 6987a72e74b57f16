/**
 * The lowest system-token version a system accepts, in its Durable Object's SQLite storage.
 * Raising it refuses every token issued below it; it is 1 until first raised.
 */
import { MAX_TOKEN_VERSION } from '../api/index.js';
import { ApiError } from '../api/errors.js';

export const TOKEN_FLOOR_TABLE = 'token_floor';
const SCHEMA = `CREATE TABLE IF NOT EXISTS ${TOKEN_FLOOR_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 0), version INTEGER NOT NULL)`;

export class TokenFloor {
  private version = 1;

  constructor(private readonly sql: SqlStorage) {}

  /** Reads the stored floor; call before any other method. */
  load(): void {
    this.sql.exec(SCHEMA);
    this.version = this.sql.exec<{ version: number }>(`SELECT version FROM ${TOKEN_FLOOR_TABLE}`).toArray()[0]?.version ?? 1;
  }

  get current(): number {
    return this.version;
  }

  /** Raises the floor by one; a 409 once it is at the largest version a token can carry. */
  raise(): number {
    const next = this.version + 1;
    if (next > MAX_TOKEN_VERSION) throw new ApiError(409, `the token version is at its largest (${MAX_TOKEN_VERSION}); it cannot be raised`);
    this.sql.exec(`INSERT OR REPLACE INTO ${TOKEN_FLOOR_TABLE} (id, version) VALUES (0, ?)`, next);
    this.version = next;
    return next;
  }
}
