/**
 * The imagination engine's ∇_θ J against tfjs's tape over the same objective (tapeOracle.ts):
 * one step, the same starts and the same member draws; per tensor, max |difference| ≤ 1e-4 ×
 * max |tape gradient|. Box and discrete actions, known and learned rewards, CVaR over members,
 * every model activation, a linear model, both layouts of the frozen ensemble, and the
 * rewritten rewards: the Error-MDP's error head and disagreement, MnM's classifier bonus
 * (gradientCases.ts; the browser suite runs the same cases on WebGPU and WebGL).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../models/helpers';
import { CASES, compareCase } from './gradientCases';

const TOLERANCE = 1e-4;

describe.each(['wasm', 'cpu'] as const)('imagined policy gradient on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('$env, $reward reward, $risk, $activation model of depth $depth and width $width, rewrite $rewrite', async (testCase) => {
    const result = await compareCase(testCase);
    expect(result.leaked).toBe(0);
    expect(result.engineLoss).toBeCloseTo(result.tapeLoss, 3);
    result.differences.forEach((difference, i) => expect(difference, `variable ${i}`).toBeLessThan(TOLERANCE));
    expect(result.largest).toBeGreaterThan(1e-6);
  });
});
