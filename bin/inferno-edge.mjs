#!/usr/bin/env node
// The `inferno-edge` command: the built CLI (dist/, from `npm run build`, which `npm ci` runs).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
