/**
 * Per-member biases [out] from a stacked [E, out] tensor, as fresh tensors.
 *
 * Why not just `tf.unstack`: the WASM backend's fused matMul checks the bias rank it recorded for
 * the underlying buffer, and an unstacked (or reshaped) slice keeps the record of the [1, out]
 * slice it was cut as, so the kernel throws "only supports rank-1 bias". Adding 0 writes a new
 * buffer recorded as [out]; it costs one tiny op per member and layer.
 */
import * as tf from '@tensorflow/tfjs';

export function unstackBiases(stacked: tf.Tensor): tf.Tensor1D[] {
  return tf.unstack(stacked).map((bias) => tf.add(bias, 0) as tf.Tensor1D);
}
