/**
 * The critic's TD(λ) targets against the forward view written from the definition:
 *   G^λ_t = (1 − λ)·Σ_{n=1}^{N−1} λ^{n−1}·G^{(n)}_t + λ^{N−1}·G^{(N)}_t,   N = H − t,
 *   G^{(n)}_t = Σ_{k<n} γ^k·r_{t+k} + γ^n·V(o_{t+n}),
 * where an n-step return that reaches the terminating step T stops there (no bootstrap), and the
 * targets of steps after T are 0. Also: one training step moves V toward the targets.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Critic, type ImaginedTrajectories } from '../../src/policies/critic';
import { createRng } from '../../src/rng';
import { useBackend } from '../models/helpers';

const H = 5;
const R = 3;
const D = 2;
const REWARDS = [
  [1, 1, 1, 1, 1],
  [0.5, -2, 3, 1, 4],
  [2, 1, -1, 7, 9],
];
/** Row 2 terminates at step 2 (its terminating step counts as alive), the others run on. */
const ALIVE = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
];

function forwardView(values: number[][], row: number, gamma: number, lambda: number): number[] {
  const rewards = REWARDS[row];
  const alive = ALIVE[row];
  const end = alive.lastIndexOf(1);
  const terminal = end < H - 1 ? end : null;
  const nStep = (t: number, n: number): number => {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      sum += gamma ** k * rewards[t + k];
      if (terminal !== null && t + k === terminal) return sum;
    }
    return sum + gamma ** n * values[t + n][row];
  };
  return Array.from({ length: H }, (_, t) => {
    if (alive[t] === 0) return 0;
    const N = H - t;
    let target = lambda ** (N - 1) * nStep(t, N);
    for (let n = 1; n < N; n++) target += (1 - lambda) * lambda ** (n - 1) * nStep(t, n);
    return target;
  });
}

describe('Critic.lambdaReturns', () => {
  let critic: Critic;
  let rollout: ImaginedTrajectories;
  let values: number[][];

  beforeAll(async () => {
    await useBackend('wasm');
    const rng = createRng(4);
    critic = new Critic(
      {
        observationDim: D,
        width: 8,
        depth: 1,
        inputMean: new Float32Array(D),
        inputScale: new Float32Array(D).fill(1),
      },
      1e-2,
      rng,
    );
    const observations = Float32Array.from({ length: (H + 1) * R * D }, () => rng.uniform(-2, 2));
    rollout = {
      observations: tf.tensor3d(observations, [H + 1, R, D]),
      rewards: tf.tensor2d(
        REWARDS[0].map((_, t) => REWARDS.map((row) => row[t])),
        [H, R],
      ),
      alive: tf.tensor2d(
        ALIVE[0].map((_, t) => ALIVE.map((row) => row[t])),
        [H, R],
      ),
    };
    const v = critic.valueOfSteps(rollout.observations);
    values = (await v.array()) as number[][];
    v.dispose();
    // A critic that outputs ~0 would make the bootstrap terms invisible.
    expect(Math.max(...values.flat().map(Math.abs))).toBeGreaterThan(0.05);
  });

  afterAll(() => {
    critic.dispose();
    tf.dispose([rollout.observations, rollout.rewards, rollout.alive]);
  });

  it.each([
    [0.9, 1],
    [0.9, 0],
    [0.97, 0.6],
    [1, 0.95],
  ])('γ = %f, λ = %f: matches the forward view', async (gamma, lambda) => {
    const before = tf.memory().numTensors;
    const targets = critic.lambdaReturns(rollout, gamma, lambda);
    expect(targets.shape).toEqual([H, R]);
    const actual = (await targets.array()) as number[][];
    targets.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (let row = 0; row < R; row++) {
      const expected = forwardView(values, row, gamma, lambda);
      for (let t = 0; t < H; t++)
        expect(actual[t][row], `row ${row}, t ${t}`).toBeCloseTo(expected[t], 4);
    }
  });

  it('λ = 1 on constant reward 1: the discounted count of steps plus γ^(H−t)·V(o_H)', async () => {
    const targets = critic.lambdaReturns(rollout, 0.5, 1);
    const actual = (await targets.array()) as number[][];
    targets.dispose();
    // Row 0: 1 + 0.5 + 0.25 + … over the remaining steps, then the bootstrap at the horizon.
    for (let t = 0; t < H; t++) {
      const steps = H - t;
      expect(actual[t][0]).toBeCloseTo((1 - 0.5 ** steps) / 0.5 + 0.5 ** steps * values[H][0], 5);
    }
    // Row 2 terminated at step 2: 2 + 0.5·1 + 0.25·(−1) from step 0, and nothing after it.
    expect(actual[0][2]).toBeCloseTo(2.25, 5);
    expect(actual[3][2]).toBe(0);
    expect(actual[4][2]).toBe(0);
  });

  it('training on fixed targets lowers the regression loss', async () => {
    const rng = createRng(9);
    const learner = new Critic(
      {
        observationDim: D,
        width: 16,
        depth: 1,
        inputMean: new Float32Array(D),
        inputScale: new Float32Array(D).fill(1),
      },
      3e-2,
      rng,
    );
    // λ = 1, γ = 0: the targets are the rewards, whatever V says.
    const first = await learner.train(rollout, 0, 1);
    let last = first;
    for (let i = 0; i < 60; i++) last = await learner.train(rollout, 0, 1);
    learner.dispose();
    expect(Number.isFinite(first)).toBe(true);
    expect(last).toBeLessThan(first * 0.5);
  });
});
