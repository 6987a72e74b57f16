/**
 * At batch size 1 the ITL does not vary with the load: every request is decoded alone. The
 * reference's search then decides feasibility on float32 rounding noise: it compares its ITL at
 * the lowest and the highest rate, and only when the second is larger does it size the target
 * (otherwise it takes the metric for a falling one, out of reach). To give the same answers,
 * this replays that one comparison in float32, operation by operation, as the reference's
 * arithmetic does it (without fused multiply-add).
 */
import { f32 } from './float32.js';
import type { PerfParameters, RequestSize } from './analyzer.js';
import { QUEUE_TO_BATCH_RATIO } from './queue-model.js';

const EPSILON = f32(0.001);

/** Whether the reference finds its ITL at batch size 1 larger at the top of its rate range than at the bottom. */
export function referenceItlGrowsAtBatchOfOne(perf: PerfParameters, request: RequestSize): boolean {
  const alpha = f32(perf.alpha);
  const beta = f32(perf.beta);
  const gamma = f32(perf.gamma);
  const delta = f32(perf.delta);
  const tokens = f32(request.outTokens - 1);
  const prefill = request.inTokens === 0 ? 0 : f32(gamma + f32(f32(delta * f32(request.inTokens)) * 1));
  const decode = f32(tokens * f32(alpha + f32(beta * 1)));
  const serviceRate = f32(1 / f32(prefill + decode));
  // the rate range, as it is stored per second and read back per millisecond
  const low = f32(f32(f32(f32(serviceRate * EPSILON) * 1000)) / 1000);
  const high = f32(f32(f32(f32(serviceRate * f32(1 - EPSILON)) * 1000)) / 1000);
  const itlAt = (lambda: number): number => {
    const states = 1 + QUEUE_TO_BATCH_RATIO;
    const p = [1];
    for (let n = 0; n < states; n++) p.push((p[n] * lambda) / serviceRate);
    let sum = 0;
    for (const weight of p) sum += weight;
    for (let n = 0; n <= states; n++) p[n] /= sum;
    // in service: the states up to the batch size, then a full batch for the rest
    const inService = p[1] + (1 - (p[0] + p[1])) * 1;
    const throughput = f32(lambda * f32(1 - f32(p[states])));
    const serviceTime = f32(f32(inService) / throughput);
    const numerator = f32(serviceTime - f32(gamma + f32(alpha * tokens)));
    const denominator = f32(f32(delta * f32(request.inTokens)) + f32(beta * tokens));
    const concurrency = Math.min(Math.max(f32(numerator / denominator), 0), 1);
    return f32(alpha + f32(beta * concurrency));
  };
  return itlAt(low) < itlAt(high);
}
