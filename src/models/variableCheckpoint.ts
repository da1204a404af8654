/**
 * A copy, on the device, of some variables' values, to put back after a divergence: cheaper than
 * reading them back (no download), and the copy is the caller's to dispose.
 */
import * as tf from '@tensorflow/tfjs';

export class VariableCheckpoint {
  private saved: tf.Tensor[] = [];

  constructor(private readonly variables: () => tf.Variable[]) {}

  get taken(): boolean {
    return this.saved.length > 0;
  }

  take(): void {
    tf.dispose(this.saved);
    this.saved = this.variables().map((variable) => tf.keep(variable.clone()));
  }

  restore(): void {
    const variables = this.variables();
    if (variables.length !== this.saved.length)
      throw new Error('VariableCheckpoint: the variables changed since the checkpoint');
    variables.forEach((variable, i) => variable.assign(this.saved[i]));
  }

  dispose(): void {
    tf.dispose(this.saved);
    this.saved = [];
  }
}
