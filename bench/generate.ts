/**
 * Writes a generated SystemData document to stdout:
 *   npx tsx bench/generate.ts --servers 1000 --seed 7 [--accelerators 20] [--models 9]
 *     [--capacity-factor 0.5] [--small-out-tokens [SHARE]] [--saturation-policy RoundRobin]
 *     [--delayed-best-effort] > system.json
 */
import { SATURATION_POLICIES } from '../src/core/index.js';
import { generateSystem, type GeneratorOptions } from './generator.js';

const USAGE = `usage: npx tsx bench/generate.ts --servers N [--seed N] [--accelerators N] [--models N]
  [--capacity-factor F] [--small-out-tokens [SHARE]] [--saturation-policy ${SATURATION_POLICIES.join('|')}]
  [--delayed-best-effort]`;

class UsageError extends Error {}

function number(flag: string, value: string | undefined): number {
  const parsed = value === undefined || value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(parsed)) throw new UsageError(`${flag} needs a number, not ${value ?? 'nothing'}`);
  return parsed;
}

function parseArgs(args: string[]): GeneratorOptions {
  const options: Partial<GeneratorOptions> = {};
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    const value = () => args[++i];
    switch (flag) {
      case '--servers':
        options.servers = number(flag, value());
        break;
      case '--seed':
        options.seed = number(flag, value());
        break;
      case '--accelerators':
        options.accelerators = number(flag, value());
        break;
      case '--models':
        options.models = number(flag, value());
        break;
      case '--capacity-factor':
        options.capacityFactor = number(flag, value());
        break;
      case '--small-out-tokens':
        // An optional share follows; alone, the flag means every server.
        options.smallOutTokens = i + 1 < args.length && !args[i + 1].startsWith('--') ? number(flag, value()) : true;
        break;
      case '--saturation-policy': {
        const policy = value();
        const known = SATURATION_POLICIES.find((p) => p.toLowerCase() === policy?.toLowerCase());
        if (!known) throw new UsageError(`${flag} must be one of ${SATURATION_POLICIES.join(', ')}`);
        options.saturationPolicy = known;
        break;
      }
      case '--delayed-best-effort':
        options.delayedBestEffort = true;
        break;
      default:
        throw new UsageError(`unknown option: ${flag}`);
    }
  }
  if (options.servers === undefined) throw new UsageError('--servers is required');
  return options as GeneratorOptions;
}

function main(args: string[]): number {
  try {
    process.stdout.write(`${JSON.stringify(generateSystem(parseArgs(args)), null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));
