// The core in a page, bundled by Vite (or any bundler): no server, no Node built-ins.
import { optimize, parseWith, System, SystemDataSchema } from 'inferno-edge';
import { SAMPLES } from 'inferno-edge/samples';

const data = parseWith(SystemDataSchema, SAMPLES.small);
const { solution } = optimize(System.fromSpec(data.system), data.system.optimizerData.optimizer);
document.getElementById('solution').textContent = JSON.stringify(solution, null, 2);
