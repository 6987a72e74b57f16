/**
 * The `inferno-edge` command.
 *   inferno-edge optimize FILE|- [--stats]   SystemData in, AllocationSolution out
 *   inferno-edge explain FILE|- [--server NAME]   why each server got what it got
 *   inferno-edge serve [--stateless | -F] [--empty]   the REST API
 *   inferno-edge token SYSTEM [--scope read|write] [--version N]   a system token for the Worker
 */
import { readFile } from 'node:fs/promises';
import {
  explain,
  inputWarnings,
  inputWarningText,
  OptimizationError,
  optimize,
  parseWith,
  System,
  SystemDataSchema,
  ValidationError,
  type SystemData,
} from '../core/index.js';
import type { MipSolver } from '../core/mip-solver.js';
import { explanationTable, serverTable } from './explain-table.js';
import { progressLine } from './progress.js';

// The server and HiGHS are imported when a command needs them: `optimize` starts faster without.
const serveModule = () => import('../node/serve.js');
const tokenModule = () => import('./token-command.js');
const loadMipSolver = async (): Promise<MipSolver> => (await import('../node/load-highs.js')).loadNodeMipSolver();

async function usageText(): Promise<string> {
  return `usage:
  inferno-edge optimize FILE [--stats]   optimize the SystemData in FILE ('-' reads stdin);
                                         --stats writes {"totalMs": ...} to stderr; a MILP
                                         that runs over a second shows its progress there
                                         when stderr is a terminal
  inferno-edge explain FILE [--server NAME]   why each server got what it got, as a table;
                                         --server: every candidate of one server
${(await serveModule()).SERVE_USAGE}
${(await tokenModule()).TOKEN_USAGE}`;
}

/** Exit codes: 0 done, 1 the optimization failed (serve: cannot listen), 2 bad usage or invalid input. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'optimize') return optimizeCommand(rest);
  if (command === 'explain') return explainCommand(rest);
  if (command === 'serve') return (await serveModule()).serveCommand(rest);
  if (command === 'token') return (await tokenModule()).tokenCommand(rest, process.env);
  process.stderr.write(`${command === undefined ? '' : `unknown command: ${command}\n`}${await usageText()}\n`);
  return 2;
}

async function optimizeCommand(args: string[]): Promise<number> {
  const stats = args.includes('--stats');
  const files = args.filter((arg) => arg !== '--stats');
  return withSystemData(files, async (data) => {
    const spec = data.system.optimizerData.optimizer;
    const mipSolver = spec.milpSolver ? await loadMipSolver() : undefined;
    const started = performance.now();
    const system = System.fromSpec(data.system);
    const now = () => performance.now();
    const progress = progressLine(process.stderr, now);
    let solution;
    try {
      solution = optimize(system, spec, { mipSolver, now, onProgress: progress.report }).solution;
    } finally {
      progress.done();
    }
    const totalMs = performance.now() - started;
    process.stdout.write(`${JSON.stringify(solution, null, 2)}\n`);
    printWarnings(solution.warnings);
    if (stats) process.stderr.write(`${JSON.stringify({ totalMs, servers: system.servers.size })}\n`);
    return 0;
  });
}

async function explainCommand(args: string[]): Promise<number> {
  const at = args.indexOf('--server');
  const server = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0 && (server === undefined || server.startsWith('--'))) return usage();
  const files = at >= 0 ? [...args.slice(0, at), ...args.slice(at + 2)] : args;
  return withSystemData(files, async (data, json) => {
    printWarnings(inputWarnings(SystemDataSchema, json, data.system).map(inputWarningText));
    const spec = data.system.optimizerData.optimizer;
    const mipSolver = spec.milpSolver ? await loadMipSolver() : undefined;
    const now = () => performance.now();
    const progress = progressLine(process.stderr, now);
    let explanation;
    try {
      explanation = explain(System.fromSpec(data.system), spec, { mipSolver, now, onProgress: progress.report });
    } finally {
      progress.done();
    }
    printWarnings(explanation.warnings);
    if (server === undefined) {
      process.stdout.write(`${explanationTable(explanation)}\n`);
      return 0;
    }
    const one = explanation.servers.find((s) => s.server === server);
    if (!one) {
      process.stderr.write(`server ${server} not found\n`);
      return 2;
    }
    process.stdout.write(`${serverTable(one)}\n`);
    return 0;
  });
}

/** What the answer cannot say by itself goes to stderr, so that stdout stays the answer. */
function printWarnings(warnings: readonly string[] | undefined): void {
  for (const warning of warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
}

async function usage(): Promise<number> {
  process.stderr.write(`${await usageText()}\n`);
  return 2;
}

/** Reads and validates the SystemData named by `files` (exactly one; '-' is stdin), then runs `command` on it and the JSON it was read from. */
async function withSystemData(files: string[], command: (data: SystemData, json: unknown) => Promise<number>): Promise<number> {
  if (files.length !== 1 || (files[0].startsWith('-') && files[0] !== '-')) return usage();
  let text: string;
  try {
    text = files[0] === '-' ? await readStdin() : await readFile(files[0], 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${files[0]}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const json = parseJson(text);
    return await command(parseWith(SystemDataSchema, json), json);
  } catch (error) {
    if (error instanceof ValidationError) {
      process.stderr.write(`invalid SystemData: ${error.message}\n`);
      return 2;
    }
    if (error instanceof OptimizationError) {
      process.stderr.write(`optimization failed: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError([{ path: '(body)', message: `not valid JSON: ${(error as Error).message}` }]);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
