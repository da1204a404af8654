/**
 * A copy of a list of variables as tensors, and the moves the maximin follower makes with it:
 * back to the copy, or to a point on the segment between the copy and another, on the device.
 */
import * as tf from '@tensorflow/tfjs';

export class ParameterSnapshot {
  private readonly values: tf.Tensor[];

  constructor(private readonly variables: readonly tf.Variable[]) {
    this.values = variables.map((v) => tf.keep(v.clone()));
  }

  /** θ ← the snapshot. */
  restore(): void {
    this.variables.forEach((v, i) => v.assign(this.values[i]));
  }

  /** θ ← this + t·(other − this), t ∈ [0, 1]: t = 0 is this snapshot, t = 1 the other. */
  interpolate(other: ParameterSnapshot, t: number): void {
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        const from = this.values[i];
        v.assign(tf.add(from, tf.mul(tf.sub(other.values[i], from), t)));
      });
    });
  }

  dispose(): void {
    tf.dispose(this.values);
  }
}
