// The core in Node: `node optimize.mjs system-data.json` prints the AllocationSolution.
import { readFile } from 'node:fs/promises';
import { optimize, parseWith, System, SystemDataSchema } from 'inferno-edge';
import { loadNodeMipSolver } from 'inferno-edge/node';

const data = parseWith(SystemDataSchema, JSON.parse(await readFile(process.argv[2], 'utf8')));
const spec = data.system.optimizerData.optimizer;
// HiGHS only when the spec asks for the MILP solver
const mipSolver = spec.milpSolver ? await loadNodeMipSolver() : undefined;
const { solution } = optimize(System.fromSpec(data.system), spec, { mipSolver });
console.log(JSON.stringify(solution, null, 2));
