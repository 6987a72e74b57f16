/** A SystemStore in memory: operations run one at a time, in the order they were called. */
import { System } from '../core/index.js';
import type { SystemStore } from './store.js';

export class MemorySystemStore implements SystemStore {
  private system: System;
  /** settles when the last operation queued so far is done */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(system: System = new System()) {
    this.system = system.clone();
  }

  read(): Promise<System> {
    return this.enqueue(() => this.system.clone());
  }

  update<T>(fn: (system: System) => T): Promise<T> {
    return this.enqueue(() => {
      // fn works on a copy, so that a throw part-way leaves nothing half-applied
      const next = this.system.clone();
      const result = fn(next);
      this.system = next;
      return result;
    });
  }

  replace(system: System): Promise<void> {
    return this.enqueue(() => {
      this.system = system.clone();
    });
  }

  private enqueue<T>(operation: () => T): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
