/**
 * A copy, in host memory, of some variables' values, to put back after a divergence or after the
 * backend failed mid-run, or to move between (the maximin follower's bisection, stackelberg.ts).
 * Host memory, not a clone on the device: a backend that failed (a lost GPU device) may no longer
 * give back what it holds, while a host copy can be uploaded to any backend. The cost is one
 * download per `take()`, which the loop pays once per iteration.
 */
import * as tf from '@tensorflow/tfjs';

interface SavedValue {
  readonly shape: number[];
  readonly dtype: tf.DataType;
  readonly values: tf.TypedArray;
}

export class VariableCheckpoint {
  private saved: SavedValue[] = [];

  /** `variables` is asked each time, so learners rebuilt on another backend are the ones restored. */
  constructor(private readonly variables: () => tf.Variable[]) {}

  /** A checkpoint of `variables` as they are now. */
  static async of(variables: readonly tf.Variable[]): Promise<VariableCheckpoint> {
    const checkpoint = new VariableCheckpoint(() => [...variables]);
    await checkpoint.take();
    return checkpoint;
  }

  get taken(): boolean {
    return this.saved.length > 0;
  }

  async take(): Promise<void> {
    const variables = this.variables();
    const values = await Promise.all(variables.map((variable) => variable.data()));
    // Copied: the CPU backend hands out its own storage, which must not be shared with a later write.
    this.saved = variables.map((variable, i) => ({
      shape: [...variable.shape],
      dtype: variable.dtype,
      values: values[i].slice() as tf.TypedArray,
    }));
  }

  /** Uploads the saved values into the variables, on the backend in use now. */
  restore(): void {
    const variables = this.variables();
    if (variables.length !== this.saved.length)
      throw new Error('VariableCheckpoint: the variables changed since the checkpoint');
    variables.forEach((variable, i) => {
      const { shape, dtype, values } = this.saved[i];
      if (variable.shape.join() !== shape.join())
        throw new Error(`VariableCheckpoint: variable ${i} is [${variable.shape.join()}], was [${shape.join()}]`);
      tf.tidy(() => variable.assign(tf.tensor(values, shape, dtype)));
    });
  }

  /**
   * θ ← this + t·(other − this), t ∈ [0, 1] (t = 0 this checkpoint, t = 1 the other), in float32
   * one operation at a time as tfjs's ops compute it: each value of an f32 difference, product
   * and sum is exact in a double, so rounding it with Math.fround gives the f32 operation's result.
   */
  interpolate(other: VariableCheckpoint, t: number): void {
    const variables = this.variables();
    if (this.saved.length !== variables.length || other.saved.length !== variables.length)
      throw new Error('VariableCheckpoint: interpolating between checkpoints of other variables');
    const t32 = Math.fround(t);
    variables.forEach((variable, i) => {
      const from = this.saved[i].values;
      const to = other.saved[i].values;
      const values = new Float32Array(from.length);
      for (let k = 0; k < from.length; k++)
        values[k] = Math.fround(from[k] + Math.fround(Math.fround(to[k] - from[k]) * t32));
      tf.tidy(() => variable.assign(tf.tensor(values, this.saved[i].shape, 'float32')));
    });
  }

  dispose(): void {
    this.saved = [];
  }
}
