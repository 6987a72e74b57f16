/**
 * The page's side of one optimizer worker: requests by id, each answered once. Terminating the
 * worker stops whatever it computes at once; every request still waiting is then answered
 * "cancelled", and nothing from that worker arrives any more.
 */
import type { RunProgress, WorkerRequest, WorkerResponse } from './protocol.js';

type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;
/** progress messages go to the listener, never as an answer */
type Answer = Exclude<WorkerResponse, { type: 'progress' }>;
export type Reply = Answer | { type: 'cancelled'; id: number };

export class OptimizerWorker {
  private readonly worker = new Worker(new URL('./optimizer.worker.ts', import.meta.url), { type: 'module' });
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private terminated = false;

  /**
   * `onCrash` hears of a worker that failed to load or died (every request waiting then
   * fails); `onProgress` hears how a run gets on.
   */
  constructor(
    onCrash: (message: string) => void,
    private readonly onProgress: (progress: RunProgress) => void = () => {},
  ) {
    this.worker.onmessage = (event: MessageEvent<WorkerResponse>) => {
      const response = event.data;
      if (response.type === 'progress') {
        if (this.waiting.has(response.id)) this.onProgress(response.progress);
        return;
      }
      this.answer(response.id, response);
    };
    this.worker.onerror = (event) => {
      const message = `optimizer worker failed: ${event.message || 'could not be loaded'}`;
      onCrash(message);
      for (const id of [...this.waiting.keys()]) this.answer(id, { type: 'failed', id, message, problems: [], internal: true });
    };
  }

  /** Whether a request is waiting for its answer. */
  get busy(): boolean {
    return this.waiting.size > 0;
  }

  send(request: Unnumbered<WorkerRequest>): Promise<Reply> {
    const id = this.nextId++;
    if (this.terminated) return Promise.resolve({ type: 'cancelled', id });
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Stops the worker at once; every request still waiting is answered "cancelled". */
  terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.worker.terminate();
    for (const id of [...this.waiting.keys()]) this.answer(id, { type: 'cancelled', id });
  }

  private answer(id: number, reply: Reply): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(reply);
  }
}
