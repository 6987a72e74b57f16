/**
 * Child process of bench/run.ts: how long reading a SystemData body takes against optimizing
 * it, on one file; prints one JSON object (ParseMeasurement) on stdout.
 *
 *   tsx bench/measure-parse.ts FILE MAX_RUNS BUDGET_MS
 *
 * Parse is JSON.parse of the file's text, validate is parseWith(SystemDataSchema) of the
 * result: what every runtime does to a request body before the core sees it. Optimize is
 * System.fromSpec + optimize, as bench/measure-core.ts times it, once (the budget goes to the
 * parse runs).
 */
import { readFileSync } from 'node:fs';
import { optimize, parseWith, System, SystemDataSchema } from '../src/core/index.js';
import { median } from './stats.js';

export interface ParseMeasurement {
  bytes: number;
  servers: number;
  runs: number;
  /** medians over the runs */
  parseMs: number;
  validateMs: number;
  /** one run */
  optimizeMs: number;
}

function measure(file: string, maxRuns: number, budgetMs: number): ParseMeasurement {
  const text = readFileSync(file, 'utf8');
  const parseMs: number[] = [];
  const validateMs: number[] = [];
  let totalMs = 0;
  let data = parseWith(SystemDataSchema, JSON.parse(text));
  while (parseMs.length < maxRuns && (parseMs.length === 0 || totalMs <= budgetMs)) {
    const started = performance.now();
    const json: unknown = JSON.parse(text);
    const parsed = performance.now();
    data = parseWith(SystemDataSchema, json);
    const validated = performance.now();
    parseMs.push(parsed - started);
    validateMs.push(validated - parsed);
    totalMs += validated - started;
  }
  const started = performance.now();
  optimize(System.fromSpec(data.system), data.system.optimizerData.optimizer);
  const optimizeMs = performance.now() - started;
  return {
    bytes: Buffer.byteLength(text),
    servers: data.system.serverData.servers.length,
    runs: parseMs.length,
    parseMs: median(parseMs),
    validateMs: median(validateMs),
    optimizeMs,
  };
}

const [file, maxRuns, budgetMs] = process.argv.slice(2);
process.stdout.write(`${JSON.stringify(measure(file, Number(maxRuns), Number(budgetMs)))}\n`);
