/**
 * The registry of the systems that exist: the Worker cannot enumerate its Durable Objects, so
 * each system tells this one object when it changes or is deleted, and `GET /systems` reads it.
 *
 * Why one Durable Object, not D1 or KV: KV is eventually consistent (a list right after a
 * create or delete may miss it, and two writers race with the last one winning), which the
 * registry must not be. D1 would be consistent, but is one more resource to create per
 * account, with its own migrations. One object with SQLite storage is consistent (it runs one
 * call at a time, each write committed before it answers), needs nothing but a binding, and
 * works offline under wrangler dev. Its load is one small write per change of any system,
 * which a single object takes easily at the rate a control loop changes systems (every 30 to
 * 60 s each).
 */
import { DurableObject } from 'cloudflare:workers';
import type { SystemDirectory, SystemSummary } from '../api/index.js';
import type { Env } from './env.js';

/** the one registry object's name */
const REGISTRY_NAME = 'registry';

const SCHEMA = 'CREATE TABLE IF NOT EXISTS systems (id TEXT PRIMARY KEY, servers INTEGER NOT NULL, last_change TEXT NOT NULL)';

export class SystemRegistry extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** System `id` exists, holding `servers` servers, last changed at `lastChange` (ISO 8601). */
  record(id: string, servers: number, lastChange: string): void {
    this.ctx.storage.sql.exec(
      'INSERT INTO systems (id, servers, last_change) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET servers = excluded.servers, last_change = excluded.last_change',
      id,
      servers,
      lastChange,
    );
  }

  /** System `id` no longer exists. */
  forget(id: string): void {
    this.ctx.storage.sql.exec('DELETE FROM systems WHERE id = ?', id);
  }

  /** Every system that exists, by id (ids are ASCII, so SQLite's byte order is the order of their code points). */
  list(): SystemSummary[] {
    return this.ctx.storage.sql
      .exec<{ id: string; servers: number; last_change: string }>('SELECT id, servers, last_change FROM systems ORDER BY id')
      .toArray()
      .map((row) => ({ id: row.id, servers: row.servers, lastChange: row.last_change }));
  }
}

export function registryOf(env: Env): DurableObjectStub<SystemRegistry> {
  return env.REGISTRY.get(env.REGISTRY.idFromName(REGISTRY_NAME));
}

export function registryDirectory(env: Env): SystemDirectory {
  return { list: () => registryOf(env).list() };
}
