/**
 * The differentiable forward pass of the ensemble, used for training and by objectives:
 * normalised inputs [E, n, in] (each member its own rows) → normalised mean [E, n, D] and,
 * for a Gaussian model, the softly bounded log-variance [E, n, D].
 *
 * Rollouts do not use this: they run a leaner inference path with the normalisation folded into
 * the weights (inferenceWeights.ts). Both are checked against a plain per-member reference.
 */
import * as tf from '@tensorflow/tfjs';
import { activate } from './activation';
import { dense, type LayerActivation } from './dense';
import type { EnsembleParameters } from './ensembleParameters';
import type { EnsembleLayout } from './layout';

export interface EnsemblePrediction {
  readonly mean: tf.Tensor3D;
  readonly logVar: tf.Tensor3D | null;
}

export function ensembleForward(
  params: EnsembleParameters,
  inputs: tf.Tensor3D,
  layout: EnsembleLayout,
): EnsemblePrediction {
  const head = params.logVarHead;
  const prediction = layout.members === 'perMember' ? perMemberForward(params, inputs, layout) : batchedForward(params, inputs);
  if (head === null || prediction.rawLogVar === null) return { mean: prediction.mean, logVar: null };
  return { mean: prediction.mean, logVar: softlyBoundedLogVar(prediction.rawLogVar, tf.stack(head.max), tf.stack(head.min)) };
}

interface RawPrediction {
  mean: tf.Tensor3D;
  rawLogVar: tf.Tensor3D | null;
}

/** One 2-D dense op per member and layer (dense.ts), members' rows unstacked then restacked. */
function perMemberForward(params: EnsembleParameters, inputs: tf.Tensor3D, layout: EnsembleLayout): RawPrediction {
  const { weights, biases, logVarHead } = params;
  const hiddenCount = weights.length - 1;
  const layer = (from: tf.Tensor2D[], w: tf.Variable[], b: tf.Variable[], activation: LayerActivation) =>
    from.map((x, m) => dense(x, w[m] as tf.Tensor as tf.Tensor2D, b[m] as tf.Tensor as tf.Tensor1D, activation, layout.transposes));
  let hidden = tf.unstack(inputs) as tf.Tensor2D[];
  for (let l = 0; l < hiddenCount; l++) hidden = layer(hidden, weights[l], biases[l], params.shape.activation);
  return {
    mean: tf.stack(layer(hidden, weights[hiddenCount], biases[hiddenCount], 'linear')) as tf.Tensor3D,
    rawLogVar:
      logVarHead === null ? null : (tf.stack(layer(hidden, logVarHead.weight, logVarHead.bias, 'linear')) as tf.Tensor3D),
  };
}

/** One 3-D matMul per layer over stacked members: [E, n, in] × [E, in, out] + [E, 1, out]. */
function batchedForward(params: EnsembleParameters, inputs: tf.Tensor3D): RawPrediction {
  const { weights, biases, logVarHead } = params;
  const hiddenCount = weights.length - 1;
  const layer = (x: tf.Tensor3D, w: tf.Variable[], b: tf.Variable[]): tf.Tensor3D =>
    tf.add(tf.matMul(x, tf.stack(w) as tf.Tensor3D), tf.expandDims(tf.stack(b), 1));
  let hidden = inputs;
  for (let l = 0; l < hiddenCount; l++) {
    hidden = activate(layer(hidden, weights[l], biases[l]), params.shape.activation) as tf.Tensor3D;
  }
  return {
    mean: layer(hidden, weights[hiddenCount], biases[hiddenCount]),
    rawLogVar: logVarHead === null ? null : layer(hidden, logVarHead.weight, logVarHead.bias),
  };
}

/**
 * PETS's soft bounds: log σ² = max − softplus(max − raw), then min + softplus(· − min). Smooth,
 * so the bounds themselves are learned (pushed apart by the data, pulled together by the penalty
 * in likelihood.ts), and no variance collapses to zero or blows up on unseen inputs.
 */
export function softlyBoundedLogVar(raw: tf.Tensor3D, max: tf.Tensor, min: tf.Tensor): tf.Tensor3D {
  const maxLogVar = tf.expandDims(max, 1);
  const minLogVar = tf.expandDims(min, 1);
  const upper = tf.sub(maxLogVar, tf.softplus(tf.sub(maxLogVar, raw)));
  return tf.add(minLogVar, tf.softplus(tf.sub(upper, minLogVar)));
}
