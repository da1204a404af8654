/**
 * `tf.tidy` for results that hold tensors inside plain objects (with nulls and strings around
 * them): tidy keeps every tensor reachable from the result, but its TensorContainer type does not
 * describe such objects.
 */
import * as tf from '@tensorflow/tfjs';

export function tidyKeeping<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
