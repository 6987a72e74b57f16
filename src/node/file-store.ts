/**
 * A SystemStore kept in memory and in a JSON file (INFERNO_STATE_FILE): every change is
 * written before it is acknowledged, so that a crash loses no acknowledged change, and written
 * atomically (a temporary file in the same folder, fsynced, renamed over the file, the folder
 * fsynced), so that the file always holds one whole state, the old or the new. One server per file.
 */
import { open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError, type System } from '../core/index.js';
import { PersistentSystemStore, type SnapshotStorage, type SystemStore } from '../api/index.js';

/** The state file cannot be used; the message says why. */
export class StateFileError extends Error {
  constructor(file: string, problem: string) {
    super(`state file ${file}: ${problem}`);
    this.name = 'StateFileError';
  }
}

function notASavedSystem(file: string, error: Error): StateFileError {
  return new StateFileError(file, `is not a saved system (${error.message}); fix or remove it`);
}

/** The file's content is System.toSnapshot() as JSON. */
function fileStorage(file: string): SnapshotStorage {
  return {
    load: async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new StateFileError(file, `cannot be read: ${(error as Error).message}`);
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw notASavedSystem(file, error as Error);
      }
    },
    persist: (snapshot) => writeAtomically(file, JSON.stringify(snapshot)),
  };
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

export const FileSystemStore = {
  /**
   * The store of `file`: the system it holds, or, when there is no such file, `initial()`,
   * written to it at once (so that a folder that cannot be written is found at start).
   * Throws a StateFileError when the file cannot be read or holds no valid system, or when it
   * cannot be written.
   */
  async open(file: string, initial: () => System): Promise<SystemStore> {
    try {
      return await PersistentSystemStore.open(fileStorage(file), initial, true);
    } catch (error) {
      if (error instanceof StateFileError) throw error;
      if (error instanceof ValidationError) throw notASavedSystem(file, error);
      throw new StateFileError(file, `cannot be written: ${(error as Error).message}`);
    }
  },
};
