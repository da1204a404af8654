/**
 * The two likelihoods, on normalised targets, per member and per row so that objectives can
 * weight rows before averaging.
 *   mse:            ℓ = ‖μ − y‖² / D                          (MSE)
 *   gaussian:       ℓ = Σ_d [(μ_d − y_d)² e^{−log σ²_d} + log σ²_d] / D
 * (the Gaussian negative log-likelihood up to ½ and log 2π, as PETS and MBPO write it), plus
 * PETS's penalty 0.01·(Σ max log σ² − Σ min log σ²) that keeps the learned bounds tight.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyKeeping } from './tidy';
import type { EnsembleParameters } from './ensembleParameters';
import type { EnsemblePrediction } from './ensembleForward';

export type Likelihood = 'mse' | 'gaussian';

export const LOG_VAR_BOUND_PENALTY = 0.01;

/** Per-member, per-row loss [E, n]. */
export function rowLosses(prediction: EnsemblePrediction, targets: tf.Tensor3D): tf.Tensor2D {
  const squaredError = tf.squaredDifference(prediction.mean, targets);
  if (prediction.logVar === null) return tf.mean(squaredError, 2);
  const logVar = prediction.logVar;
  return tf.mean(tf.add(tf.mul(squaredError, tf.exp(tf.neg(logVar))), logVar), 2);
}

/** Per-member mean squared error [E] of the mean prediction, in normalised units. */
export function meanSquaredErrors(prediction: EnsemblePrediction, targets: tf.Tensor3D): tf.Tensor1D {
  return tf.mean(tf.squaredDifference(prediction.mean, targets), [1, 2]);
}

/** Per-member penalty [E] on the spread of the learned log-variance bounds (zero if none). */
export function logVarBoundPenalty(params: EnsembleParameters): tf.Tensor1D {
  const head = params.logVarHead;
  if (head === null) return tf.zeros([params.shape.members]);
  return tf.mul(tf.sub(tf.sum(tf.stack(head.max), 1), tf.sum(tf.stack(head.min), 1)), LOG_VAR_BOUND_PENALTY);
}

/**
 * ∂/∂(μ, log σ²) of each member's row-weighted mean row loss Σ_i w_i·ℓ_i, by hand:
 *   mse       ∂ℓ/∂μ = 2(μ − y)/D
 *   gaussian  ∂ℓ/∂μ = 2(μ − y)·e^{−log σ²}/D,   ∂ℓ/∂log σ² = (1 − (μ − y)²·e^{−log σ²})/D
 * `rowWeights(m)`: member m's w as a column [b, 1], or null for the mean (w_i = 1/b).
 */
export function rowLossGradients(
  prediction: { readonly mean: readonly tf.Tensor2D[]; readonly logVar: readonly tf.Tensor2D[] | null },
  targets: readonly tf.Tensor2D[],
  rowWeights: (member: number) => tf.Tensor2D | null,
): { mean: tf.Tensor2D[]; logVar: tf.Tensor2D[] | null } {
  return tidyKeeping(() => {
    const mean: tf.Tensor2D[] = [];
    const logVar: tf.Tensor2D[] = [];
    prediction.mean.forEach((mu, m) => {
      const [b, D] = mu.shape;
      const w = rowWeights(m);
      const scale = (x: tf.Tensor) => (w === null ? tf.mul(x, 1 / (b * D)) : tf.mul(x, tf.div(w, D)));
      const error = tf.sub(mu, targets[m]);
      const lv = prediction.logVar?.[m] ?? null;
      if (lv === null) {
        mean.push(scale(tf.mul(error, 2)) as tf.Tensor2D);
        return;
      }
      const precision = tf.exp(tf.neg(lv));
      mean.push(scale(tf.mul(tf.mul(error, precision), 2)) as tf.Tensor2D);
      logVar.push(scale(tf.sub(1, tf.mul(tf.square(error), precision))) as tf.Tensor2D);
    });
    return { mean, logVar: prediction.logVar === null ? null : logVar };
  });
}
