/**
 * Today's samples (perfParms) against the answers of optimizer-light 77615bd with queue-analysis
 * v0.7.0, the pair that today's control loop deploys (test/fixtures/optimizer-light/README.md).
 */
import { describe, expect, it } from 'vitest';
import { computeCandidates, optimize, parseWith, System, SystemDataSchema, type SolvedAllocation } from '../../src/core/index.js';
import { SAMPLES } from '../../src/samples/index.js';
import { optimizerLightAnswers, optimizerLightSystemData, readOptimizerLightJson } from '../optimizer-light-fixtures.js';

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}

/** The reference's float32 against our float64 queue: we see under 3e-7 (relative) on both samples. */
const LATENCY_TOLERANCE = 1e-6;

/** Why `ours` is not the reference's allocation, or undefined when it is. */
function difference(ours: SolvedAllocation | undefined, theirs: SolvedAllocation): string | undefined {
  if (!ours) return 'missing';
  if (ours.accelerator !== theirs.accelerator || ours.numReplicas !== theirs.numReplicas || ours.maxBatch !== theirs.maxBatch) {
    return `${ours.numReplicas} × ${ours.accelerator} (batch ${ours.maxBatch}), not ${theirs.numReplicas} × ${theirs.accelerator} (batch ${theirs.maxBatch})`;
  }
  if (ours.cost !== theirs.cost) return `cost ${ours.cost}, not ${theirs.cost}`;
  if (relative(ours.itlAverage, theirs.itlAverage) > LATENCY_TOLERANCE) return `ITL ${ours.itlAverage}, not ${theirs.itlAverage}`;
  if (relative(ours.ttftAverage, theirs.ttftAverage) > LATENCY_TOLERANCE) return `TTFT ${ours.ttftAverage}, not ${theirs.ttftAverage}`;
  // the reference echoes throughput as 0 when the input has none; we echo what was given
  if (JSON.stringify({ ...ours.load, throughput: ours.load.throughput ?? 0 }) !== JSON.stringify(theirs.load)) return 'load';
  return undefined;
}

function solve(data: unknown) {
  const parsed = parseWith(SystemDataSchema, data);
  const system = System.fromSpec(parsed.system);
  return { system, ...optimize(system, parsed.system.optimizerData.optimizer) };
}

describe('the small sample of today agrees exactly with the reference', () => {
  const { solution } = solve(optimizerLightSystemData('small'));
  const [reference] = optimizerLightAnswers('small');

  it('allocates exactly the servers the reference allocates, without warnings', () => {
    expect(Object.keys(solution.allocations).sort()).toEqual(Object.keys(reference).sort());
    expect(solution.warnings).toBeUndefined();
  });

  it.each(Object.keys(reference))('%s', (name) => {
    expect(difference(solution.allocations[name], reference[name])).toBeUndefined();
  });

  it("the sample's own consolidated file (PriorityRoundRobin) gives the same answer", () => {
    expect(solve(readOptimizerLightJson('small/system-data.json')).solution).toEqual(solution);
  });

  it('is embedded for the playground and the CLI, the same inputs', () => {
    expect(parseWith(SystemDataSchema, SAMPLES['today-small'])).toEqual(parseWith(SystemDataSchema, optimizerLightSystemData('small')));
  });
});

describe('the large sample of today agrees with one of the answers the reference gives', () => {
  const { system, solution } = solve(optimizerLightSystemData('large'));
  const answers = optimizerLightAnswers('large');

  it('the reference answers differ only among candidates of equal cost', () => {
    expect(answers.length).toBe(4);
    for (const answer of answers) {
      expect(Object.keys(answer).sort()).toEqual(Object.keys(answers[0]).sort());
      for (const name of Object.keys(answer)) expect(answer[name].cost).toBe(answers[0][name].cost);
    }
  });

  it('ours is one of them, or has the same cost per server and takes the first accelerator by name among equal-cost candidates', () => {
    expect(Object.keys(solution.allocations).sort()).toEqual(Object.keys(answers[0]).sort());
    const identical = answers.some((answer) => Object.keys(answer).every((name) => difference(solution.allocations[name], answer[name]) === undefined));
    if (identical) return;
    const candidates = computeCandidates(system);
    for (const name of Object.keys(answers[0])) {
      const ours = solution.allocations[name];
      if (answers.some((answer) => difference(ours, answer[name]) === undefined)) continue;
      expect(ours.cost, name).toBe(answers[0][name].cost);
      const tied = candidates.find((s) => s.server === name)!.candidates.filter((c) => c.cost === ours.cost).map((c) => c.accelerator);
      expect(tied, name).toContain(answers[0][name].accelerator);
      expect(ours.accelerator, name).toBe([...tied].sort()[0]);
    }
  });

  it('is embedded for the playground and the CLI, the same inputs', () => {
    expect(parseWith(SystemDataSchema, SAMPLES['today-large'])).toEqual(parseWith(SystemDataSchema, optimizerLightSystemData('large')));
  });
});
