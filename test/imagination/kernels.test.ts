/**
 * The engine's own kernels (src/imagination/kernels.ts) against tfjs's ops on WASM and CPU,
 * where they replace them: the same values, on shapes that take each loop's branches.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { concatColumns, matMul, slice2d, splitRows } from '../../src/imagination/kernels';
import { createRng } from '../../src/rng';
import { useBackend } from '../models/helpers';

function random(shape: [number, number], seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Float32Array.from({ length: shape[0] * shape[1] }, () => rng.next() * 2 - 1),
    shape,
  );
}

async function same(mine: tf.Tensor, theirs: tf.Tensor): Promise<void> {
  expect(mine.shape).toEqual(theirs.shape);
  expect(Array.from(await mine.data())).toEqual(Array.from(await theirs.data()));
}

describe.each(['wasm', 'cpu'] as const)('the engine’s kernels on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('slice2d takes the block tf.slice takes, −1 meaning the rest', async () => {
    const x = random([33, 5], 1);
    for (const [begin, size] of [
      [
        [0, 0],
        [33, 5],
      ],
      [
        [4, 0],
        [-1, 4],
      ],
      [
        [0, 3],
        [-1, 1],
      ],
      [
        [32, 2],
        [1, 3],
      ],
      [
        [7, 1],
        [0, 2],
      ],
    ] as [[number, number], [number, number]][]) {
      const mine = slice2d(x, begin, size);
      const theirs = tf.slice(x, begin, size);
      await same(mine, theirs);
      tf.dispose([mine, theirs]);
    }
    expect(() => slice2d(x, [30, 0], [4, 5])).toThrow(/outside/);
    x.dispose();
  });

  it('concatColumns puts 2-D tensors side by side as tf.concat on axis 1 does', async () => {
    const parts = [random([64, 4], 2), random([64, 1], 3), random([64, 3], 4), random([64, 1], 5)];
    for (const chosen of [parts, parts.slice(0, 2), parts.slice(2)]) {
      const mine = concatColumns(chosen);
      const theirs = tf.concat(chosen, 1);
      await same(mine, theirs);
      tf.dispose([mine, theirs]);
    }
    expect(() => concatColumns([random([3, 1], 6), random([4, 1], 7)])).toThrow(/row counts/);
    tf.dispose(parts);
  });

  it('splitRows cuts consecutive row blocks as tf.split does', async () => {
    const x = random([12, 3], 8);
    const mine = splitRows(x, 4);
    const theirs = tf.split(x, 4, 0);
    for (let i = 0; i < 4; i++) await same(mine[i], theirs[i]);
    tf.dispose([x, ...mine, ...theirs]);
  });

  it('matMul with a bias adds it to every row (tfjs-wasm’s fused kernel once gave rows after the first the last bias entry)', async () => {
    const a = random([5, 3], 9);
    const b = random([3, 4], 10);
    const bias = tf.tensor1d([1, 2, 3, 4]);
    const mine = matMul(a, b, bias, 'relu');
    const theirs = tf.relu(tf.add(tf.matMul(a, b), bias));
    const [m, t] = [await mine.data(), await theirs.data()];
    m.forEach((value, i) => expect(value).toBeCloseTo(t[i], 5));
    tf.dispose([a, b, bias, mine, theirs]);
  });
});
