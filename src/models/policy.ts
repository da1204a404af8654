/**
 * The policy interface imagined rollouts call: batched, in tfjs, so a policy network plugs in
 * and gradients can flow through it. It returns env-format actions (actions.ts): a column of box
 * values or discrete indices, or, for a discrete space, n columns of (relaxed) one-hot.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { Rng } from '../rng';

export type Policy = (observations: tf.Tensor2D) => tf.Tensor2D;

/** Uniform over the box, or over the discrete actions; seeded from `rng` call by call. */
export function randomUniformPolicy(space: ActionSpace, rng: Rng): Policy {
  return (observations) => {
    const rows = observations.shape[0];
    if (space.kind === 'box') return tf.randomUniform([rows, 1], space.low, space.high, 'float32', rng.seed32());
    // min(): float32 rounding of low + (high − low)·u can land on high itself.
    return tf.tidy(() =>
      tf.minimum(tf.floor(tf.randomUniform([rows, 1], 0, space.n, 'float32', rng.seed32())), space.n - 1),
    );
  };
}

/** The same action everywhere (a box value or a discrete index). */
export function constantPolicy(action: number): Policy {
  return (observations) => tf.fill([observations.shape[0], 1], action);
}
