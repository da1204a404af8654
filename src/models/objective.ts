/**
 * The model-learning objective, pluggable: `fit` minimises whatever `loss` returns. The default
 * is maximum likelihood (MSE or Gaussian NLL); policy-aware objectives (src/objectives/) reweight
 * rows, add terms from imagined rollouts, or replace the loss altogether.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnsembleParameters } from './ensembleParameters';
import type { EnsemblePrediction } from './ensembleForward';
import { logVarBoundPenalty, rowLosses, type Likelihood } from './likelihood';
import type { NormalizerStats } from './normalizer';

/** One minibatch: each member its own rows, all normalised. */
export interface ObjectiveBatch {
  /** [E, b, in]: (observation, action features), normalised. */
  readonly inputs: tf.Tensor3D;
  /** [E, b, D]: (next-observation delta, reward), normalised. */
  readonly targets: tf.Tensor3D;
  /** The replay-buffer slots of the rows, member-major (E·b of them). */
  readonly slots: Int32Array;
}

export interface ObjectiveContext {
  /** The differentiable ensemble: normalised inputs [E, n, in] → prediction. */
  readonly forward: (inputs: tf.Tensor3D) => EnsemblePrediction;
  readonly parameters: EnsembleParameters;
  readonly likelihood: Likelihood;
  /** The moments this fit normalises with, for objectives that need real units (a critic). */
  readonly stats: NormalizerStats;
  /** This step's index within the current `fit` call. */
  readonly step: number;
}

export interface ModelObjective {
  readonly name: string;
  /** Per-member losses [E]; runs under the gradient tape, so build it from `context.forward`. */
  loss(batch: ObjectiveBatch, context: ObjectiveContext): tf.Tensor1D;
}

/** Maximum likelihood: the mean row loss of each member, plus the log-variance bound penalty. */
export const likelihoodObjective: ModelObjective = {
  name: 'likelihood',
  loss(batch, context) {
    const prediction = context.forward(batch.inputs);
    return tf.add(tf.mean(rowLosses(prediction, batch.targets), 1), logVarBoundPenalty(context.parameters));
  },
};
