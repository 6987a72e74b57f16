/**
 * Today's Inferno samples (perfParms) and the answers of the optimizer that today's control loop
 * deploys, copied into test/fixtures/optimizer-light/ (provenance and license in its README).
 */
import { readFileSync } from 'node:fs';
import type { SolvedAllocation } from '../src/core/index.js';

export const OPTIMIZER_LIGHT_DIR = new URL('./fixtures/optimizer-light/', import.meta.url);

export function readOptimizerLightJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, OPTIMIZER_LIGHT_DIR), 'utf8'));
}

/** The six input files of a sample combined into SystemData. */
export function optimizerLightSystemData(size: 'small' | 'large'): { system: Record<string, unknown> } {
  const read = (name: string) => readOptimizerLightJson(`${size}/${name}-data.json`);
  return {
    system: {
      acceleratorData: read('accelerator'),
      modelData: read('model'),
      serviceClassData: read('serviceclass'),
      serverData: read('server'),
      optimizerData: read('optimizer'),
      capacityData: read('capacity'),
    },
  };
}

type Allocations = Record<string, SolvedAllocation>;

/** Every answer the reference gave for the sample (one for small; large picks among ties at random). */
export function optimizerLightAnswers(size: 'small' | 'large'): Allocations[] {
  const expected = readOptimizerLightJson(`${size}/expected-solution.json`) as {
    solution?: { allocations: Allocations };
    solutions?: { allocations: Allocations }[];
  };
  return expected.solutions ? expected.solutions.map((s) => s.allocations) : [expected.solution!.allocations];
}
