/** The per-request limits of limits.ts, as the schemas enforce them: refused with the field's path and the limit. */
import { describe, expect, it } from 'vitest';
import {
  MAX_ACCELERATORS,
  MAX_BATCH_SIZE,
  MAX_CAPACITIES,
  MAX_MODEL_PERF,
  MAX_MODEL_TARGETS,
  MAX_SERVERS,
  MAX_SERVICE_CLASSES,
  parseWith,
  ServerSpecSchema,
  SystemDataSchema,
  ValidationError,
} from '../../src/core/index.js';

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    parseWith(SystemDataSchema, input);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  return [];
}

/** A SystemData with `count` empty entries at `path` (dotted, under system). */
function withEntries(path: string, count: number): unknown {
  const [data, field] = path.split('.');
  const entries = Array.from({ length: count }, () => ({}));
  if (data === 'serviceClassData' && field === 'modelTargets') {
    return { system: { serviceClassData: { serviceClasses: [{ name: 'c', modelTargets: entries }] } } };
  }
  return { system: { [data]: { [field]: entries } } };
}

describe('per-request limits', () => {
  it.each([
    ['serverData.servers', MAX_SERVERS, 'servers'],
    ['acceleratorData.accelerators', MAX_ACCELERATORS, 'accelerators'],
    ['capacityData.count', MAX_CAPACITIES, 'capacity counts'],
    ['serviceClassData.serviceClasses', MAX_SERVICE_CLASSES, 'service classes'],
    ['modelData.models', MAX_MODEL_PERF, 'perf data entries'],
    ['serviceClassData.modelTargets', MAX_MODEL_TARGETS, 'model targets'],
  ])('%s: %i are taken, one more is refused naming the limit', (path, limit, what) => {
    expect(issuesOf(withEntries(path, limit))).toEqual([]);
    const issues = issuesOf(withEntries(path, limit + 1));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe(path === 'serviceClassData.modelTargets' ? 'system.serviceClassData.serviceClasses.0.modelTargets' : `system.${path}`);
    expect(issues[0].message).toBe(`at most ${limit} ${what} are allowed`);
  });

  it('counts an array before reading its items: a huge array of bad items is refused at once, with one issue', () => {
    const issues = issuesOf({ system: { serverData: { servers: Array.from({ length: 1_000_000 }, () => ({ name: 1 })) } } });
    expect(issues).toEqual([{ path: 'system.serverData.servers', message: `at most ${MAX_SERVERS} servers are allowed` }]);
  });

  it("a server's maxBatchSize beyond MAX_BATCH_SIZE is refused naming the field and the limit", () => {
    expect(parseWith(ServerSpecSchema, { name: 's', maxBatchSize: MAX_BATCH_SIZE }).maxBatchSize).toBe(MAX_BATCH_SIZE);
    const issues = issuesOf({ system: { serverData: { servers: [{ name: 's', maxBatchSize: MAX_BATCH_SIZE + 1 }] } } });
    expect(issues).toEqual([
      { path: 'system.serverData.servers.0.maxBatchSize', message: `must be at most ${MAX_BATCH_SIZE} (the batch size limit)` },
    ]);
  });
});
