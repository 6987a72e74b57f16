/**
 * Where a runtime keeps the system between requests. The routes see only SystemStore; every
 * runtime uses the one implementation, PersistentSystemStore, and injects how its snapshots are
 * loaded and persisted: not at all (memory), in a file (Node), in SQLite (Durable Object).
 */
import { System, type SystemSnapshot } from '../core/index.js';

export interface SystemStore {
  /** A copy of the current system: changing it changes nothing stored. */
  read(): Promise<System>;
  /**
   * Applies `fn` to the system and stores the result, atomically: if `fn` throws, the stored
   * system stays exactly as it was and the error propagates. Updates never interleave.
   */
  update<T>(fn: (system: System) => T): Promise<T>;
  /** Stores `system` in place of the current one. */
  replace(system: System): Promise<void>;
}

/** How a runtime keeps snapshots; what differs between runtimes. */
export interface SnapshotStorage {
  /** The stored snapshot as it was read (it is validated here), or undefined when none is stored. */
  load(): unknown;
  /** Stores `snapshot` in place of the last one, whole or not at all (then it throws). */
  persist(snapshot: SystemSnapshot): void | Promise<void>;
}

/**
 * The system in memory, and in `storage` before any change is acknowledged. Each change is made
 * on a copy, persisted, then committed, so that a throw at any step leaves both as they were.
 * Operations run one at a time, in the order they were called.
 */
export class PersistentSystemStore implements SystemStore {
  #system: System;
  /** settles when the last operation queued so far is done */
  #queue: Promise<unknown> = Promise.resolve();

  /** A store of a copy of `system`, kept in `storage` from its next change on; without storage, in memory only. */
  constructor(
    system: System = new System(),
    private readonly storage?: SnapshotStorage,
  ) {
    this.#system = system.clone();
  }

  /**
   * The store of what `storage` holds (validated, older snapshots included; a ValidationError
   * says what is wrong), or, when it holds nothing, of `initial()`; that one is persisted at once
   * when `persistInitial`, so that storage that cannot be written is found at start.
   */
  static async open(storage: SnapshotStorage, initial: () => System, persistInitial = false): Promise<PersistentSystemStore> {
    const stored = await storage.load();
    if (stored !== undefined) return new PersistentSystemStore(System.fromStored(stored), storage);
    const system = initial();
    if (persistInitial) await storage.persist(system.toSnapshot());
    return new PersistentSystemStore(system, storage);
  }

  read(): Promise<System> {
    return this.#enqueue(() => this.#system.clone());
  }

  update<T>(fn: (system: System) => T): Promise<T> {
    return this.#enqueue(async () => {
      const next = this.#system.clone();
      const result = fn(next);
      if (this.storage) await this.storage.persist(next.toSnapshot());
      this.#system = next;
      return result;
    });
  }

  replace(system: System): Promise<void> {
    // the snapshot is the copy: the caller may go on changing `system`
    const snapshot = system.toSnapshot();
    return this.#enqueue(async () => {
      await this.storage?.persist(snapshot);
      this.#system = System.fromSnapshot(snapshot);
    });
  }

  #enqueue<T>(operation: () => T | Promise<T>): Promise<T> {
    const result = this.#queue.then(operation);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
