/**
 * A SystemStore kept in memory and in a JSON file (INFERNO_STATE_FILE): every change is
 * written before it is acknowledged, so that a crash loses no acknowledged change, and written
 * atomically (a temporary file in the same folder, fsynced, renamed over the file, the folder
 * fsynced), so that the file always holds one whole state, the old or the new. One server per file.
 */
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseWith, System, SystemSpecSchema, type SystemSnapshot } from '../core/index.js';
import type { SystemStore } from '../api/index.js';

/** The file's content: System.toSnapshot() as JSON. */
const SnapshotSchema = z.object({ system: SystemSpecSchema, models: z.array(z.string()) });

/** The state file cannot be used; the message says why. */
export class StateFileError extends Error {
  constructor(file: string, problem: string) {
    super(`state file ${file}: ${problem}`);
    this.name = 'StateFileError';
  }
}

/** The system stored in `file`, undefined if there is no such file; throws a StateFileError otherwise. */
async function readStateFile(file: string): Promise<System | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read: ${(error as Error).message}`);
  }
  try {
    return System.fromSnapshot(parseWith(SnapshotSchema, JSON.parse(text)) as SystemSnapshot);
  } catch (error) {
    throw new StateFileError(file, `is not a saved system (${(error as Error).message}); fix or remove it`);
  }
}

/** Writes `text` to `file` atomically and durably: a reader sees the old content or the new one, never a mix. */
async function writeAtomically(file: string, text: string): Promise<void> {
  // One fixed name: writes never overlap (the store runs them one at a time), and a temporary
  // file left by a crash is overwritten by the next write.
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
  // the rename itself is durable once the folder is synced
  const folder = await open(path.dirname(file), 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export class FileSystemStore implements SystemStore {
  /** settles when the last operation queued so far is done */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private system: System,
  ) {}

  /**
   * The store of `file`: the system it holds, or, when there is no such file, `initial()`,
   * written to it at once (so that a folder that cannot be written is found at start).
   * Throws a StateFileError when the file cannot be read or holds no valid system, or when it
   * cannot be written.
   */
  static async open(file: string, initial: () => System): Promise<FileSystemStore> {
    const stored = await readStateFile(file);
    const store = new FileSystemStore(file, stored ?? initial());
    if (!stored) {
      await store.save(store.system).catch((error: Error) => {
        throw new StateFileError(file, `cannot be written: ${error.message}`);
      });
    }
    return store;
  }

  read(): Promise<System> {
    return this.enqueue(async () => this.system.clone());
  }

  update<T>(fn: (system: System) => T): Promise<T> {
    return this.enqueue(async () => {
      // fn works on a copy, and the copy is kept only once it is on disk
      const next = this.system.clone();
      const result = fn(next);
      await this.save(next);
      this.system = next;
      return result;
    });
  }

  replace(system: System): Promise<void> {
    return this.enqueue(async () => {
      const next = system.clone();
      await this.save(next);
      this.system = next;
    });
  }

  private save(system: System): Promise<void> {
    return writeAtomically(this.file, JSON.stringify(system.toSnapshot()));
  }

  private enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
