/**
 * The reference's sample data and its own solutions, copied into test/fixtures/sample-data/
 * (provenance and license in its README), so that every clone runs the agreement tests.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AllocationData } from '../src/core/index.js';

export const SAMPLE_DATA_DIR = fileURLToPath(new URL('./fixtures/sample-data/', import.meta.url));

function readJson(size: string, file: string): unknown {
  return JSON.parse(readFileSync(`${SAMPLE_DATA_DIR}${size}/${file}`, 'utf8'));
}

/** The six input files of a sample combined into SystemData, as the reference's demo reads them. */
export function sampleSystemData(size: 'small' | 'large'): unknown {
  return {
    system: {
      acceleratorData: readJson(size, 'accelerator-data.json'),
      modelData: readJson(size, 'model-data.json'),
      serviceClassData: readJson(size, 'serviceclass-data.json'),
      serverData: readJson(size, 'server-data.json'),
      optimizerData: readJson(size, 'optimizer-data.json'),
      capacityData: readJson(size, 'capacity-data.json'),
    },
  };
}

export function referenceSolution(size: 'small' | 'large'): Record<string, AllocationData> {
  return (readJson(size, 'solution-data.json') as { allocations: Record<string, AllocationData> }).allocations;
}
