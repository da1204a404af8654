/**
 * Runs a function as one op that passes no gradient. tfjs has no stopGradient, and it refuses to
 * differentiate through comparisons (Equal, Greater…) rather than treating them as flat, so a
 * policy differentiating its imagined return would fail on the env's termination tests. Inside
 * a custom-gradient op the comparisons are not taped; the op's own gradient is zero.
 */
import * as tf from '@tensorflow/tfjs';

export function withoutGradient<T extends tf.Tensor>(fn: (x: tf.Tensor2D) => T): (x: tf.Tensor2D) => T {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x] = args as [tf.Tensor2D];
    return { value: fn(x), gradFunc: () => tf.zerosLike(x) };
  });
  return (x) => op(x) as T;
}
