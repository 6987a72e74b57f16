/** A SystemStore in memory: the one store, with nothing persisted. */
import { System } from '../core/index.js';
import { PersistentSystemStore } from './store.js';

export class MemorySystemStore extends PersistentSystemStore {
  constructor(system: System = new System()) {
    super(system);
  }
}
