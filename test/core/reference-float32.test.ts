import { describe, expect, it } from 'vitest';
import { referenceItlGrowsAtBatchOfOne } from '../../src/core/index.js';

/**
 * Whether the Go reference (built and run here on random systems) sized an ITL target above
 * alpha + beta at batch size 1: it does only where float32 noise makes its ITL grow over the
 * rate range. Each case: perf parameters, then request tokens.
 */
const REFERENCE_OUTCOMES: [boolean, { alpha: number; beta: number; gamma: number; delta: number }][] = [
  [true, { alpha: 11.1696, beta: 0.2467, gamma: 68.087206, delta: 0.009566 }],
  [false, { alpha: 112.4625, beta: 2.4925, gamma: 685.546244, delta: 0.096654 }],
  [false, { alpha: 4.2046, beta: 0.0936, gamma: 25.630081, delta: 0.003629 }],
  [false, { alpha: 78.7238, beta: 1.7439, gamma: 479.88237, delta: 0.067625 }],
  [false, { alpha: 6.5561, beta: 0.1446, gamma: 39.96423, delta: 0.005608 }],
  [false, { alpha: 4.9202, beta: 0.1106, gamma: 29.992648, delta: 0.004288 }],
];

describe('the reference float32 ITL comparison at batch size 1', () => {
  it.each(REFERENCE_OUTCOMES)('sized by the reference: %s for %j', (sized, perf) => {
    expect(referenceItlGrowsAtBatchOfOne(perf, { inTokens: 161, outTokens: 2036 })).toBe(sized);
  });
});
