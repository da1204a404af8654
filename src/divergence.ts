/**
 * Divergence: a NaN or an infinity where a figure must be finite. The loop checks each phase's
 * figures as they are produced, so the error names the phase where it appeared and what most
 * likely caused it; the loop then puts back the last good state and pauses (experiment.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Phase } from './report';

export class DivergenceError extends Error {
  constructor(
    readonly phase: Phase,
    /** What was not finite, e.g. "the model's training loss". */
    readonly figure: string,
    /** The likely cause, naming the knob to change. */
    readonly likelyCause: string,
  ) {
    super(`${figure} is not finite (${phase} phase). Likely cause: ${likelyCause}`);
    this.name = 'DivergenceError';
  }
}

/** Throws a DivergenceError unless every value is finite. */
export function requireFinite(
  values: number | readonly number[],
  phase: Phase,
  figure: string,
  likelyCause: string,
): void {
  const list = typeof values === 'number' ? [values] : values;
  if (!list.every(Number.isFinite)) throw new DivergenceError(phase, figure, likelyCause);
}

/**
 * Throws a DivergenceError unless every weight is finite. A loss can stay finite over NaN weights
 * (WASM's relu maps NaN to 0), so the weights themselves are checked after each update.
 *
 * The counts are added two at a time, not with one tf.addN: tfjs-webgpu's AddN binds every input
 * as a storage buffer in one shader, and past the device's limit (8 per stage by default, 7
 * inputs) the pipeline is invalid, the whole command buffer it was batched in is dropped, and the
 * count read back is garbage: in headless Chromium a model's 13 variables "diverged" at once.
 */
export async function requireFiniteWeights(
  variables: readonly tf.Variable[],
  phase: Phase,
  figure: string,
  likelyCause: string,
): Promise<void> {
  const bad = tf.tidy(() =>
    variables
      .map((v) => tf.sum(tf.cast(tf.logicalNot(tf.isFinite(v)), 'int32')))
      .reduce((sum, count) => tf.add(sum, count), tf.scalar(0, 'int32')),
  );
  const count = (await bad.data())[0];
  bad.dispose();
  if (count > 0) throw new DivergenceError(phase, figure, likelyCause);
}
