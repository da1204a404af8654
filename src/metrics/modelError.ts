/**
 * The model's one-step error on real transitions, in normalised units:
 *   e(o, a) = mean over members m of  sqrt( mean_k ((ô'_m,k − o'_k) / σ_Δk)² ),
 * σ_Δ being the std of each next-observation delta in the training data. Normalising makes the
 * components of different scales (an angle, a velocity) count alike, and the member average is
 * the error a rollout that draws a random member meets.
 */
import * as tf from '@tensorflow/tfjs';
import type { WorldModel } from '../models/worldModel';
import type { TransitionRows } from './transitionRows';

export interface ModelErrorResult {
  readonly mean: number;
  /** e(o, a) for every row. */
  readonly perRow: Float32Array;
}

export async function oneStepError(model: WorldModel, rows: TransitionRows): Promise<ModelErrorResult> {
  if (rows.count === 0) return { mean: Number.NaN, perRow: new Float32Array(0) };
  const d = rows.observationDim;
  const deltaStd = Float32Array.from(model.stats.targetStd).subarray(0, d);
  const errors = tf.tidy(() => {
    const observations = tf.tensor2d(rows.observations, [rows.count, d]);
    const actions = tf.tensor2d(rows.actions, [rows.count, 1]);
    const truth = tf.tensor2d(rows.nextObservations, [rows.count, d]);
    const prediction = model.predict(observations, actions);
    const scaled = prediction.nextObservations.sub(truth).div(tf.tensor1d(deltaStd));
    return scaled.square().mean(2).sqrt().mean(0) as tf.Tensor1D;
  });
  const perRow = (await errors.data()) as Float32Array;
  errors.dispose();
  let sum = 0;
  for (const value of perRow) sum += value;
  return { mean: sum / perRow.length, perRow };
}
