import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { smallestMask } from '../../src/imagination/worstMembers';
import { createRng } from '../../src/rng';

describe('smallestMask', () => {
  it('marks each row’s k smallest entries, ties to the lower index, as TopK of the negation picks them', async () => {
    await tf.setBackend('cpu');
    const rng = createRng(3);
    // Whole numbers in a small range: many ties.
    const values = Array.from({ length: 40 * 5 }, () => Math.floor(rng.next() * 4));
    const x = tf.tensor2d(values, [40, 5]);
    for (const k of [1, 2, 4, 5]) {
      const maskTensor = smallestMask(x, k);
      const indicesTensor = tf.tidy(() => tf.topk(tf.neg(x), k).indices);
      const mask = await maskTensor.array();
      const indices = await indicesTensor.array();
      tf.dispose([maskTensor, indicesTensor]);
      mask.forEach((row, r) => {
        expect(row.reduce((a, b) => a + b, 0)).toBe(k);
        expect(row.flatMap((on, j) => (on === 1 ? [j] : []))).toEqual(
          [...indices[r]].sort((a, b) => a - b),
        );
      });
    }
    x.dispose();
  });
});
