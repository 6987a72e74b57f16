/** The page's side of the optimizer worker: requests by id, each answered once. */
import type { WorkerRequest, WorkerResponse } from './protocol.js';

type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

export class OptimizerClient {
  private readonly worker = new Worker(new URL('./optimizer.worker.ts', import.meta.url), { type: 'module' });
  private nextId = 1;
  private readonly waiting = new Map<number, (response: WorkerResponse) => void>();

  /** `onCrash` hears of a worker that failed to load or died: every request then fails. */
  constructor(onCrash: (message: string) => void) {
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const resolve = this.waiting.get(event.data.id);
      this.waiting.delete(event.data.id);
      resolve?.(event.data);
    };
    this.worker.onerror = (event) => {
      const message = `optimizer worker failed: ${event.message || 'could not be loaded'}`;
      onCrash(message);
      for (const [id, resolve] of this.waiting) resolve({ type: 'failed', id, message, problems: [], internal: true });
      this.waiting.clear();
    };
  }

  send(request: Unnumbered<WorkerRequest>): Promise<WorkerResponse> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...request, id });
    });
  }
}

/**
 * Runs `task` one at a time; calls made while it runs collapse into one run after it, so
 * that a dragged slider re-optimizes for where it stopped, not for every step on the way.
 * `onIdle` is called when the last run has finished.
 */
export function latestOnly(task: () => Promise<void>, onIdle: () => void): () => void {
  let running = false;
  let again = false;
  const start = (): void => {
    running = true;
    again = false;
    void task().finally(() => {
      running = false;
      if (again) start();
      else onIdle();
    });
  };
  return () => {
    if (running) again = true;
    else start();
  };
}
