/**
 * One model step of every member on prepared rows, with folded weights (inferenceWeights.ts):
 * the inner loop of rollouts and of `predict`, kept to one fused kernel per member and layer.
 */
import * as tf from '@tensorflow/tfjs';
import { activate, fusedKernelActivation } from './activation';
import { dense, type TransposeMode } from './dense';
import type { InferenceLayer, InferenceWeights } from './inferenceWeights';
import { tidyKeeping } from './tidy';

/**
 * Rows → member outputs [E·B, D′], member-major (member m's rows are m·B … m·B + B − 1).
 * `shared`: every member reads the same B input rows; `own`: the input holds E·B rows,
 * member m's block its own. With `withLogVar`, also the log-variance (normalised units).
 */
export function forwardMembers(
  weights: InferenceWeights,
  inputs: tf.Tensor2D,
  rows: 'shared' | 'own',
  withLogVar = false,
): { mean: tf.Tensor2D; logVar: tf.Tensor2D | null } {
  const E = weights.members;
  const logVarHead = withLogVar ? weights.logVar : null;
  if (weights.layout === 'perMember') {
    const perMember: tf.Tensor2D[] = rows === 'shared' ? Array<tf.Tensor2D>(E).fill(inputs) : tf.split(inputs, E, 0);
    const means: tf.Tensor2D[] = [];
    const logVars: tf.Tensor2D[] = [];
    perMember.forEach((x, m) => {
      let h: tf.Tensor2D = x;
      const last = weights.layers.length - 1;
      for (let l = 0; l < last; l++) h = layer2d(h, weights.layers[l], m, weights.transposes);
      means.push(layer2d(h, weights.layers[last], m, weights.transposes));
      if (logVarHead !== null) {
        const raw: tf.Tensor2D = layer2d(h, logVarHead.layer, m, weights.transposes);
        logVars.push(softBound(raw, logVarHead.max[m], logVarHead.min[m]) as tf.Tensor2D);
      }
    });
    return { mean: tf.concat(means, 0), logVar: logVarHead === null ? null : tf.concat(logVars, 0) };
  }
  const batchRows = rows === 'shared' ? inputs.shape[0] : inputs.shape[0] / E;
  // The shared rows are copied to every member: a broadcast [1, B, in] × [E, in, out] would save
  // the copy, but tfjs's BatchMatMul gradient does not sum over a broadcast batch dimension, and
  // policies train by differentiating through this forward pass.
  let h: tf.Tensor3D =
    rows === 'shared' ? tf.tile(tf.expandDims(inputs, 0), [E, 1, 1]) : tf.reshape(inputs, [E, batchRows, -1]);
  const last = weights.layers.length - 1;
  for (let l = 0; l < last; l++) h = layer3d(h, weights.layers[l]);
  const flatten = (t: tf.Tensor3D) => tf.reshape(t, [E * batchRows, -1]) as tf.Tensor2D;
  const mean = flatten(layer3d(h, weights.layers[last]));
  if (logVarHead === null) return { mean, logVar: null };
  const raw = layer3d(h, logVarHead.layer);
  return { mean, logVar: flatten(softBound(raw, logVarHead.max[0], logVarHead.min[0]) as tf.Tensor3D) };
}

/**
 * Fixed 0/1 matrices that place and pick columns by matMul: on WASM `tf.concat` along columns
 * and column slices are strided copies done in JS (0.1–0.8 ms each), a tiny matMul is ~20 µs.
 * Built once per rollout, not per step.
 */
export interface ColumnMaps {
  /** [d, d+f] and [f, d+f]: (observation, features) → input rows = o·P₀ + a·P₁. */
  readonly placeObservations: tf.Tensor2D;
  readonly placeFeatures: tf.Tensor2D;
  /** [D′, d]: the delta columns of a mean-head output; [D′, 1]: its reward column. */
  readonly pickDeltas: tf.Tensor2D;
  readonly pickReward: tf.Tensor2D;
}

export function columnMaps(observationDim: number, featureDim: number, outputColumns: number): ColumnMaps {
  const d = observationDim;
  const f = featureDim;
  return tidyKeeping(() => ({
    placeObservations: tf.eye(d, d + f),
    placeFeatures: tf.concat([tf.zeros([f, d]), tf.eye(f)], 1),
    pickDeltas: tf.eye(outputColumns, d),
    pickReward: outputColumns > d ? tf.oneHot([d], outputColumns).toFloat().transpose() : tf.zeros([outputColumns, 1]),
  }));
}

export function disposeColumnMaps(maps: ColumnMaps): void {
  Object.values(maps).forEach((t: tf.Tensor) => t.dispose());
}

/**
 * [B, d] → [E·B, d]: the B rows repeated E times, member-major. A broadcast add rather than
 * `tf.tile`, whose WASM kernel is a JS loop (~4 ms for 40 k values).
 */
export function repeatRows(rows: tf.Tensor2D, E: number): tf.Tensor2D {
  return tidyKeeping(() => {
    const [B, d] = rows.shape;
    return tf.reshape(tf.add(tf.expandDims(rows, 0), tf.zeros([E, 1, 1])), [E * B, d]) as tf.Tensor2D;
  });
}

export function placeInputs(observations: tf.Tensor2D, features: tf.Tensor2D, maps: ColumnMaps): tf.Tensor2D {
  return tf.add(tf.matMul(observations, maps.placeObservations), tf.matMul(features, maps.placeFeatures));
}

/** Member m's layer: one fused kernel (dense.ts), differentiable when a policy needs it. */
function layer2d(x: tf.Tensor2D, layer: InferenceLayer, member: number, transposes: TransposeMode): tf.Tensor2D {
  const weight = layer.weights[member] as tf.Tensor2D;
  return dense(x, weight, layer.biases[member] as tf.Tensor1D, layer.activation, transposes);
}

function layer3d(x: tf.Tensor3D, layer: InferenceLayer): tf.Tensor3D {
  const w = layer.weights[0] as tf.Tensor3D;
  const bias = layer.biases[0];
  // WASM's fused kernel takes rank-1 biases only (its batched matMul is slow anyway).
  const fused = layer.activation === 'linear' ? 'linear' : fusedKernelActivation(layer.activation);
  if (tf.getBackend() === 'wasm' || fused === null) {
    const z = tf.add(tf.matMul(x, w), bias) as tf.Tensor3D;
    return layer.activation === 'linear' ? z : (activate(z, layer.activation) as tf.Tensor3D);
  }
  return tf.fused.matMul({ a: x, b: w, bias, activation: fused }) as tf.Tensor3D;
}


/** PETS's soft bounds (see ensembleForward.ts), on [.., D] with bounds broadcasting. */
function softBound(raw: tf.Tensor, max: tf.Tensor, min: tf.Tensor): tf.Tensor {
  const upper = tf.sub(max, tf.softplus(tf.sub(max, raw)));
  return tf.add(min, tf.softplus(tf.sub(upper, min)));
}
