/**
 * A copy, in host memory, of some variables' values, to put back after a divergence or after the
 * backend failed mid-run. Host memory, not a clone on the device: a backend that failed (a lost
 * GPU device) may no longer give back what it holds, while a host copy can be uploaded to any
 * backend. The cost is one download per `take()`, which the loop pays once per iteration.
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

  dispose(): void {
    this.saved = [];
  }
}
