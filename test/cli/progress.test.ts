/** The CLI's MILP progress line: on a terminal only, after a second, cleared at the end. */
import { describe, expect, it } from 'vitest';
import { describeProgress, progressLine, PROGRESS_DELAY_MS } from '../../src/cli/progress.js';
import type { MilpProgress } from '../../src/core/index.js';

const progress: MilpProgress = { stage: 'priority 2', stageNumber: 2, stageCount: 4, incumbent: 298, bound: 299, gap: 1 / 299, elapsedMs: 1400 };

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
}

describe('the MILP progress line', () => {
  it('says the stage, the best solution, the bound and gap, and the time', () => {
    expect(describeProgress(progress)).toBe('MILP priority 2 (stage 2 of 4): best 298, bound 299, gap 0.33% · 1.4 s');
    expect(describeProgress({ ...progress, bound: undefined, gap: undefined })).toBe('MILP priority 2 (stage 2 of 4): best 298 · 1.4 s');
  });

  it('shows nothing in the first second, then rewrites one line, and clears it at the end', () => {
    let clock = 0;
    const terminal = stream(true);
    const line = progressLine(terminal, () => clock);
    clock = PROGRESS_DELAY_MS - 1;
    line.report(progress);
    expect(terminal.written).toEqual([]);
    clock = PROGRESS_DELAY_MS;
    line.report(progress);
    line.report({ ...progress, incumbent: 299 });
    expect(terminal.written).toEqual([`\r\x1b[K${describeProgress(progress)}`, `\r\x1b[K${describeProgress({ ...progress, incumbent: 299 })}`]);
    line.done();
    expect(terminal.written.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    let clock = 0;
    const file = stream(false);
    const line = progressLine(file, () => clock);
    clock = 10 * PROGRESS_DELAY_MS;
    line.report(progress);
    line.done();
    expect(file.written).toEqual([]);
  });
});
