/** The improvers' shared reductions on small tensors with values worked out by hand. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conditionalValueAtRisk,
  discountedSum,
  sampleStartObservations,
} from '../../src/policies/improver';
import { ReplayBuffer } from '../../src/data/replayBuffer';
import { createRng } from '../../src/rng';
import { useBackend } from '../models/helpers';

async function values(make: () => tf.Tensor): Promise<number[]> {
  const before = tf.memory().numTensors;
  const tensor = make();
  const out = Array.from(await tensor.data());
  tensor.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('discountedSum', () => {
  beforeAll(() => useBackend('wasm'));

  it('Σ_t γ^t x_t over the time axis of [H, R]', async () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    // column 0: 1 + 0.5·3 + 0.25·5 = 3.75; column 1: 2 + 0.5·4 + 0.25·6 = 5.5
    expect(await values(() => discountedSum(x as tf.Tensor2D, 0.5))).toEqual([3.75, 5.5]);
    expect(await values(() => discountedSum(x as tf.Tensor2D, 1))).toEqual([9, 12]);
    expect(await values(() => discountedSum(x as tf.Tensor2D, 0))).toEqual([1, 2]);
    x.dispose();
  });
});

describe('conditionalValueAtRisk', () => {
  beforeAll(() => useBackend('wasm'));
  // [E = 4 members, B = 2 starts]
  const returns = () =>
    tf.tensor2d([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, -5],
    ]) as tf.Tensor2D;

  it.each([
    [0.25, [1, -5]], // ⌈0.25·4⌉ = 1: the worst member per start
    [0.3, [1.5, 2.5]], // ⌈1.2⌉ = 2: mean of {1, 2} and of {−5, 10}
    [0.5, [1.5, 2.5]],
    [0.75, [2, 25 / 3]], // ⌈3⌉ = 3: mean of {1, 2, 3} and of {−5, 10, 20}
    [1, [2.5, 13.75]], // every member: the plain mean
    [0.01, [1, -5]], // never fewer than one member
  ])('α = %f → %j', async (alpha, expected) => {
    const r = returns();
    const actual = await values(() => conditionalValueAtRisk(r, alpha));
    r.dispose();
    expect(actual).toHaveLength(2);
    actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
  });
});

describe('sampleStartObservations', () => {
  beforeAll(() => useBackend('wasm'));

  it('refuses an empty buffer with a message, and draws rows that are in the buffer', async () => {
    const buffer = new ReplayBuffer({ capacity: 10, observationDim: 2, actionDim: 1 });
    expect(() => sampleStartObservations(buffer, 4, createRng(1))).toThrow(
      /replay buffer is empty/,
    );
    for (let i = 0; i < 5; i++) buffer.add([i, 10 * i], 0, 0, [i + 1, 0], false);
    const starts = sampleStartObservations(buffer, 8, createRng(1));
    expect(starts.shape).toEqual([8, 2]);
    const rows = (await starts.array()) as number[][];
    starts.dispose();
    for (const [a, b] of rows) expect(b).toBe(10 * a);
  });
});
