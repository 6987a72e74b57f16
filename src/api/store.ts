/**
 * Where a runtime keeps the system between requests: memory in Node, a Durable Object in the
 * Worker. The routes see only this interface.
 */
import type { System } from '../core/index.js';

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
