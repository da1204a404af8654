/**
 * Input and output normalisation, with statistics from the buffer's training split.
 *
 * Inputs are (observation, action features); targets are next-observation deltas and the reward.
 * The network only ever sees (x − mean) / std and predicts in the same units, so one learning
 * rate and one weight decay suit every env, whatever the scales of its observations.
 */
import type { ActionSpace } from '../envs/types';
import type { TransitionBatch } from '../data/replayBuffer';
import { actionFeatureDim, encodeActionArray } from './actions';

export interface NormalizerStats {
  readonly inputMean: Float64Array;
  readonly inputStd: Float64Array;
  readonly targetMean: Float64Array;
  readonly targetStd: Float64Array;
}

/** Features whose spread is below this (a constant column) are left unscaled. */
const MIN_STD = 1e-6;

/** Row-major model inputs and targets of a batch, in raw (unnormalised) units, float64. */
export function rawInputsAndTargets(
  batch: TransitionBatch,
  space: ActionSpace,
): { inputs: Float64Array; targets: Float64Array; inputDim: number; targetDim: number } {
  const n = batch.count;
  const obsDim = batch.observations.length / Math.max(n, 1);
  const featureDim = actionFeatureDim(space);
  const inputDim = obsDim + featureDim;
  const targetDim = obsDim + 1;
  const features = encodeActionArray(batch.actions, space);
  const inputs = new Float64Array(n * inputDim);
  const targets = new Float64Array(n * targetDim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < obsDim; k++) {
      const obs = batch.observations[i * obsDim + k];
      inputs[i * inputDim + k] = obs;
      targets[i * targetDim + k] = batch.nextObservations[i * obsDim + k] - obs;
    }
    for (let k = 0; k < featureDim; k++) inputs[i * inputDim + obsDim + k] = features[i * featureDim + k];
    targets[i * targetDim + obsDim] = batch.rewards[i];
  }
  return { inputs, targets, inputDim, targetDim };
}

export function computeStats(
  inputs: Float64Array,
  inputDim: number,
  targets: Float64Array,
  targetDim: number,
): NormalizerStats {
  const input = columnMoments(inputs, inputDim);
  const target = columnMoments(targets, targetDim);
  return { inputMean: input.mean, inputStd: input.std, targetMean: target.mean, targetStd: target.std };
}

/** (x − mean) / std, column by column, into a float32 array. */
export function normalizeRows(values: Float64Array, mean: Float64Array, std: Float64Array): Float32Array {
  const dim = mean.length;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const k = i % dim;
    out[i] = (values[i] - mean[k]) / std[k];
  }
  return out;
}

function columnMoments(values: Float64Array, dim: number): { mean: Float64Array; std: Float64Array } {
  const n = values.length / dim;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim).fill(1);
  if (n === 0) return { mean, std };
  for (let i = 0; i < values.length; i++) mean[i % dim] += values[i];
  for (let k = 0; k < dim; k++) mean[k] /= n;
  const sumSquares = new Float64Array(dim);
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean[i % dim];
    sumSquares[i % dim] += d * d;
  }
  for (let k = 0; k < dim; k++) {
    const s = Math.sqrt(sumSquares[k] / n);
    std[k] = s < MIN_STD ? 1 : s;
  }
  return { mean, std };
}
