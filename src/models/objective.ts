/**
 * The model-learning objective, pluggable: `fit` minimises whatever `loss` returns. The default
 * is maximum likelihood (MSE or Gaussian NLL); policy-aware objectives (src/objectives/) reweight
 * rows, add terms from imagined rollouts, or replace the loss altogether.
 *
 * Each objective says its loss twice: `loss`, the definition in plain tfjs ops (the fit's reports,
 * and the oracle its tests differentiate by tfjs's tape), and `gradient`, the same loss's gradient
 * w.r.t. each member's prediction written out, which the fit backpropagates through the members
 * by hand (fitStep.ts). Every loss includes the log-variance bound penalty of the likelihood
 * (likelihood.ts); the fit adds that penalty's gradient itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnsembleParameters } from './ensembleParameters';
import type { EnsemblePrediction } from './ensembleForward';
import { logVarBoundPenalty, rowLosses, rowLossGradients, type Likelihood } from './likelihood';
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

/** One minibatch as the fit's per-member pass holds it: member m's rows [b, ·], normalised. */
export interface MemberBatch {
  readonly inputs: readonly tf.Tensor2D[];
  readonly targets: readonly tf.Tensor2D[];
  /** The replay-buffer slots of the rows, member-major (E·b of them). */
  readonly slots: Int32Array;
}

/** Each member's prediction on its rows (normalised units), or gradients of the same shapes. */
export interface MemberPrediction {
  readonly mean: readonly tf.Tensor2D[];
  /** The softly bounded log-variance (Gaussian models), else null. */
  readonly logVar: readonly tf.Tensor2D[] | null;
}

/** What an objective computes, for a path that computes it itself (the fused WebGPU fit). */
export type FitObjectiveDescription =
  | { readonly kind: 'likelihood' }
  /** Row weights looked up by replay-buffer slot, normalised within each member's rows. */
  | { readonly kind: 'weightedLikelihood'; readonly weightsBySlot: Float32Array };

export interface ModelObjective {
  readonly name: string;
  /** Said by the likelihoods; an objective that adds terms of its own says nothing. */
  readonly description?: FitObjectiveDescription;
  /** Per-member losses [E]; the definition, differentiable by the tape: build it from `context.forward`. */
  loss(batch: ObjectiveBatch, context: ObjectiveContext): tf.Tensor1D;
  /** ∂(Σ_m loss_m)/∂(member m's mean and log-variance), the bound penalty's aside. */
  gradient(batch: MemberBatch, prediction: MemberPrediction, context: ObjectiveContext): MemberPrediction;
}

/** Maximum likelihood: the mean row loss of each member, plus the log-variance bound penalty. */
export const likelihoodObjective: ModelObjective = {
  name: 'likelihood',
  description: { kind: 'likelihood' },
  loss(batch, context) {
    const prediction = context.forward(batch.inputs);
    return tf.add(tf.mean(rowLosses(prediction, batch.targets), 1), logVarBoundPenalty(context.parameters));
  },
  gradient(batch, prediction) {
    return rowLossGradients(prediction, batch.targets, () => null);
  },
};
