/**
 * MILP progress on a terminal: once a run has taken a second, one line on stderr, rewritten in
 * place at each of HiGHS's checkpoints, and cleared at the end. Nothing when stderr is not a
 * terminal (a file, a pipe), so that output stays clean.
 */
import type { MilpProgress } from '../core/index.js';

/** ms a run must last before its progress is shown */
export const PROGRESS_DELAY_MS = 1000;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressLine {
  report(progress: MilpProgress): void;
  /** clears the line, if one is shown */
  done(): void;
}

/** Erase the line and go back to its start. */
const CLEAR = '\r\x1b[K';

export function progressLine(stream: ProgressStream, now: () => number): ProgressLine {
  const started = now();
  let shown = false;
  return {
    report(progress) {
      if (!stream.isTTY || now() - started < PROGRESS_DELAY_MS) return;
      stream.write(`${CLEAR}${describeProgress(progress)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write(CLEAR);
      shown = false;
    },
  };
}

export function describeProgress(progress: MilpProgress): string {
  const bound = progress.bound === undefined ? '' : `, bound ${round(progress.bound)}, gap ${((progress.gap ?? 0) * 100).toFixed(2)}%`;
  return `MILP ${progress.stage} (stage ${progress.stageNumber} of ${progress.stageCount}): best ${round(progress.incumbent)}${bound} · ${(progress.elapsedMs / 1000).toFixed(1)} s`;
}

function round(value: number): string {
  return String(Number(value.toFixed(2)));
}
