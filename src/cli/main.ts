/**
 * The `inferno-edge` command.
 *   inferno-edge optimize FILE|- [--stats]   SystemData in, AllocationSolution out
 *   inferno-edge serve [--stateless | -F] [--empty]   the REST API
 */
import { readFile } from 'node:fs/promises';
import { loadNodeMipSolver } from '../highs/load-node.js';
import { OptimizationError, optimize, parseWith, System, SystemDataSchema, ValidationError } from '../core/index.js';
import { SERVE_USAGE, serveCommand } from '../node/serve.js';

const USAGE = `usage:
  inferno-edge optimize FILE [--stats]   optimize the SystemData in FILE ('-' reads stdin);
                                         --stats writes {"totalMs": ...} to stderr
${SERVE_USAGE}`;

/** Exit codes: 0 done, 1 the optimization failed (serve: cannot listen), 2 bad usage or invalid input. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'optimize') return optimizeCommand(rest);
  if (command === 'serve') return serveCommand(rest);
  process.stderr.write(`${command === undefined ? '' : `unknown command: ${command}\n`}${USAGE}\n`);
  return 2;
}

async function optimizeCommand(args: string[]): Promise<number> {
  const stats = args.includes('--stats');
  const files = args.filter((arg) => arg !== '--stats');
  if (files.length !== 1 || (files[0].startsWith('-') && files[0] !== '-')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  let text: string;
  try {
    text = files[0] === '-' ? await readStdin() : await readFile(files[0], 'utf8');
  } catch (error) {
    process.stderr.write(`cannot read ${files[0]}: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const data = parseWith(SystemDataSchema, parseJson(text));
    const spec = data.system.optimizerData.optimizer;
    const mipSolver = spec.milpSolver ? await loadNodeMipSolver() : undefined;
    const started = performance.now();
    const system = System.fromSpec(data.system);
    const { solution } = optimize(system, spec, { mipSolver, now: () => performance.now() });
    const totalMs = performance.now() - started;
    process.stdout.write(`${JSON.stringify(solution, null, 2)}\n`);
    if (stats) process.stderr.write(`${JSON.stringify({ totalMs, servers: system.servers.size })}\n`);
    return 0;
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
