/**
 * The one snapshot of variables the engine keeps (host memory): restored as taken, and moved
 * along the segment between two checkpoints exactly as tfjs's f32 ops would move it on the device.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VariableCheckpoint } from '../../src/models/variableCheckpoint';
import { createRng } from '../../src/rng';
import { useBackend } from './helpers';

describe.each(['wasm', 'cpu'] as const)('VariableCheckpoint on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('restores what it took, and interpolates as θ₀ + t·(θ₁ − θ₀) in float32 ops do', async () => {
    const rng = createRng(3);
    const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal() * 3);
    const variables = [
      tf.variable(tf.tensor2d(draw(12), [3, 4])),
      tf.variable(tf.tensor1d(draw(5))),
    ];
    const start = await VariableCheckpoint.of(variables);
    const initial = await Promise.all(variables.map((v) => v.data()));
    variables.forEach((v) => v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 1, 'float32', 7))));
    const end = await VariableCheckpoint.of(variables);
    const moved = await Promise.all(variables.map((v) => v.data()));
    for (const t of [0, 0.5, 0.3125, 0.1 + 0.2, 1]) {
      start.interpolate(end, t);
      const expected = tf.tidy(() =>
        variables.map((_, i) => {
          const from = tf.tensor(initial[i], variables[i].shape);
          return tf
            .add(from, tf.mul(tf.sub(tf.tensor(moved[i], variables[i].shape), from), t))
            .dataSync();
        }),
      );
      const actual = await Promise.all(variables.map((v) => v.data()));
      actual.forEach((values, i) => expect(Array.from(values)).toEqual(Array.from(expected[i])));
    }
    start.restore();
    expect((await Promise.all(variables.map((v) => v.data()))).map((d) => Array.from(d))).toEqual(
      initial.map((d) => Array.from(d)),
    );
    tf.dispose(variables);
  });
});
