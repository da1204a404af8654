/**
 * Which members CVaR averages: per row of x [B, E], a 0/1 mask of its `count` smallest entries.
 * By rank, not tf.topk: tfjs-webgpu's TopK gave wrong indices on [B, 3] rows (SwiftShader; the
 * CVaR objective came out 0 or 2 where WebGL and WASM gave 69, for the tape and the engine
 * alike), and the rank is a handful of elementwise kernels on every backend at the few members
 * an ensemble has (E² comparisons a row).
 *   rank_i = #{j : x_j < x_i} + #{j < i : x_j = x_i}   (ties to the lower index, as TopK)
 */
import * as tf from '@tensorflow/tfjs';

export function smallestMask(x: tf.Tensor2D, count: number): tf.Tensor2D {
  return tf.tidy(() => {
    const E = x.shape[1];
    const own = tf.expandDims(x, 2); // x_i along the middle axis
    const other = tf.expandDims(x, 1); // x_j along the last
    const earlier = new Float32Array(E * E);
    for (let i = 0; i < E; i++) for (let j = 0; j < i; j++) earlier[i * E + j] = 1;
    const below = tf.cast(tf.less(other, own), 'float32');
    const tiedEarlier = tf.mul(
      tf.cast(tf.equal(other, own), 'float32'),
      tf.tensor2d(earlier, [E, E]),
    );
    const rank = tf.sum(tf.add(below, tiedEarlier), 2);
    return tf.cast(tf.less(rank, count), 'float32') as tf.Tensor2D;
  });
}
