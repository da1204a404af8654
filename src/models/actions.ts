/**
 * What the model sees of an action. Box actions enter clipped to the space, because the env
 * clips them before it acts (the dynamics never see anything else); discrete actions enter as a
 * one-hot. Policies and the replay buffer hold env-format actions: a column holding the box value
 * or the discrete index. A discrete policy may also hand over n columns (probabilities or a
 * relaxed one-hot) and they are used as they are, so gradients can flow through them.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';

export function actionFeatureDim(space: ActionSpace): number {
  return space.kind === 'box' ? 1 : space.n;
}

/** env-format actions [R, 1] (or, discrete, [R, n] features) → model features [R, featureDim]. */
export function encodeActions(actions: tf.Tensor2D, space: ActionSpace): tf.Tensor2D {
  if (space.kind === 'box') return tf.clipByValue(actions, space.low, space.high);
  if (actions.shape[1] === space.n && space.n > 1) return actions;
  return tf.oneHot(tf.cast(tf.reshape(actions, [-1]), 'int32'), space.n).toFloat() as tf.Tensor2D;
}

/** The same encoding on row-major arrays of env-format actions (one column). */
export function encodeActionArray(actions: ArrayLike<number>, space: ActionSpace): Float32Array {
  const count = actions.length;
  if (space.kind === 'box') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Math.min(space.high, Math.max(space.low, actions[i]));
    return out;
  }
  const out = new Float32Array(count * space.n);
  for (let i = 0; i < count; i++) {
    const index = actions[i];
    if (!Number.isInteger(index) || index < 0 || index >= space.n) {
      throw new Error(`encodeActionArray: discrete action ${index} is outside [0, ${space.n})`);
    }
    out[i * space.n + index] = 1;
  }
  return out;
}
