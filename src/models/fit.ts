/**
 * Fitting the ensemble to the replay buffer:
 *   statistics ← moments of the training split (inputs, and targets Δo, r)
 *   repeat `steps` times:
 *     each member draws its own minibatch of b rows (seeded RNG, with replacement)
 *     θ ← AdamW(θ, ∇θ Σ_m objective_m)        (members share nothing, so Σ gives each its own;
 *                                              the gradient by hand, fitStep.ts)
 *   report the objective and the MSE per member on the training and holdout splits.
 * Minibatches are built in JS and uploaded: on WASM, `tf.gather` of rows costs more than the copy.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { ReplayBuffer, Split } from '../data/replayBuffer';
import type { Rng } from '../rng';
import type { AdamW } from './adamW';
import type { EnsembleParameters } from './ensembleParameters';
import { ensembleForward } from './ensembleForward';
import type { EnsembleLayout } from './layout';
import { meanSquaredErrors, type Likelihood } from './likelihood';
import { computeStats, normalizeRows, rawInputsAndTargets, type NormalizerStats } from './normalizer';
import { fitGradients } from './fitStep';
import { fusedFitGradients, fusedFitProblem } from '../imagination/webgpu/fusedFitGradient';
import type { ModelObjective, ObjectiveContext } from './objective';

export interface FitOptions {
  readonly batchSize?: number;
  readonly learningRate?: number;
  /** Decoupled (AdamW) weight decay on the weight matrices. */
  readonly weightDecay?: number;
  readonly objective?: ModelObjective;
  /** Rows of each split the final losses are measured on (evenly spaced through the split). */
  readonly evaluationRows?: number;
}

export interface FitResult {
  readonly steps: number;
  /** Per member, after the last step: the objective and the normalised MSE, on each split. */
  readonly trainLoss: number[];
  readonly holdoutLoss: number[];
  readonly trainMse: number[];
  readonly holdoutMse: number[];
  readonly trainRows: number;
  readonly holdoutRows: number;
}

export interface FitTarget {
  readonly parameters: EnsembleParameters;
  readonly optimizer: AdamW;
  readonly likelihood: Likelihood;
  readonly layout: EnsembleLayout;
  readonly actionSpace: ActionSpace;
  readonly minibatchRng: Rng;
}

export const FIT_DEFAULTS = { batchSize: 256, learningRate: 1e-3, weightDecay: 1e-5, evaluationRows: 2048 };

/** Runs the steps; returns the statistics it normalised with, and the losses. */
export async function fitEnsemble(
  target: FitTarget,
  buffer: ReplayBuffer,
  steps: number,
  objective: ModelObjective,
  options: FitOptions,
): Promise<{ stats: NormalizerStats; result: FitResult }> {
  const batchSize = options.batchSize ?? FIT_DEFAULTS.batchSize;
  const settings = {
    learningRate: options.learningRate ?? FIT_DEFAULTS.learningRate,
    weightDecay: options.weightDecay ?? FIT_DEFAULTS.weightDecay,
  };
  const trainSlots = buffer.slots('train');
  if (trainSlots.length === 0) throw new Error('fit: the buffer has no training transitions yet');
  const raw = rawInputsAndTargets(buffer.gather(trainSlots), target.actionSpace);
  const stats = computeStats(raw.inputs, raw.inputDim, raw.targets, raw.targetDim);
  const inputs = normalizeRows(raw.inputs, stats.inputMean, stats.inputStd);
  const targets = normalizeRows(raw.targets, stats.targetMean, stats.targetStd);
  const { parameters, layout, likelihood } = target;
  const E = parameters.shape.members;
  const context = (step: number): ObjectiveContext => ({
    forward: (x) => ensembleForward(parameters, x, layout),
    parameters,
    likelihood,
    stats,
    step,
  });

  const rowsIn = new Float32Array(E * batchSize * raw.inputDim);
  const rowsOut = new Float32Array(E * batchSize * raw.targetDim);
  const inRow = batchSize * raw.inputDim;
  const outRow = batchSize * raw.targetDim;
  const slots = new Int32Array(E * batchSize);
  const fused = objective.description !== undefined && fusedFitProblem(parameters, objective.description) === null;
  for (let step = 0; step < steps; step++) {
    for (let i = 0; i < E * batchSize; i++) {
      const row = target.minibatchRng.int(trainSlots.length);
      slots[i] = trainSlots[row];
      rowsIn.set(inputs.subarray(row * raw.inputDim, (row + 1) * raw.inputDim), i * raw.inputDim);
      rowsOut.set(targets.subarray(row * raw.targetDim, (row + 1) * raw.targetDim), i * raw.targetDim);
    }
    if (fused && objective.description !== undefined) {
      // On WebGPU: every member's rows in one upload, the gradient in a few programs of ours.
      const stacked = [tf.tensor2d(rowsIn, [E * batchSize, raw.inputDim]), tf.tensor2d(rowsOut, [E * batchSize, raw.targetDim])];
      try {
        const grads = await fusedFitGradients(parameters, stacked[0], stacked[1], slots, objective.description);
        target.optimizer.apply(grads, settings);
        tf.dispose(grads);
      } finally {
        tf.dispose(stacked);
      }
      continue;
    }
    const batch = {
      inputs: Array.from({ length: E }, (_, m) => tf.tensor2d(rowsIn.subarray(m * inRow, (m + 1) * inRow), [batchSize, raw.inputDim])),
      targets: Array.from({ length: E }, (_, m) => tf.tensor2d(rowsOut.subarray(m * outRow, (m + 1) * outRow), [batchSize, raw.targetDim])),
      slots: slots.slice(),
    };
    try {
      const grads = fitGradients(parameters, batch, objective, context(step));
      target.optimizer.apply(grads, settings);
      tf.dispose(grads);
    } finally {
      tf.dispose([...batch.inputs, ...batch.targets]);
    }
  }

  const evaluationRows = options.evaluationRows ?? FIT_DEFAULTS.evaluationRows;
  const evaluate = (split: Split) =>
    evaluateSplit(target, buffer, split, stats, objective, context(steps), evaluationRows);
  const [train, holdout] = [await evaluate('train'), await evaluate('holdout')];
  return {
    stats,
    result: {
      steps,
      trainLoss: train.loss,
      holdoutLoss: holdout.loss,
      trainMse: train.mse,
      holdoutMse: holdout.mse,
      trainRows: trainSlots.length,
      holdoutRows: buffer.slots('holdout').length,
    },
  };
}

/** The objective and MSE of every member on the same evenly spaced rows of a split. */
async function evaluateSplit(
  target: FitTarget,
  buffer: ReplayBuffer,
  split: Split,
  stats: NormalizerStats,
  objective: ModelObjective,
  context: ObjectiveContext,
  maxRows: number,
): Promise<{ loss: number[]; mse: number[] }> {
  const E = target.parameters.shape.members;
  const all = buffer.slots(split);
  if (all.length === 0) return { loss: Array<number>(E).fill(NaN), mse: Array<number>(E).fill(NaN) };
  const count = Math.min(all.length, maxRows);
  const slots = new Int32Array(count);
  for (let i = 0; i < count; i++) slots[i] = all[Math.floor((i * all.length) / count)];
  const raw = rawInputsAndTargets(buffer.gather(slots), target.actionSpace);
  const inputs = normalizeRows(raw.inputs, stats.inputMean, stats.inputStd);
  const targets = normalizeRows(raw.targets, stats.targetMean, stats.targetStd);
  const [loss, mse] = tf.tidy(() => {
    const tiled = (values: Float32Array, dim: number) =>
      tf.tile(tf.tensor3d(values, [1, count, dim]), [E, 1, 1]) as tf.Tensor3D;
    const batch = {
      inputs: tiled(inputs, raw.inputDim),
      targets: tiled(targets, raw.targetDim),
      slots: Int32Array.from({ length: E * count }, (_, i) => slots[i % count]),
    };
    return [objective.loss(batch, context), meanSquaredErrors(context.forward(batch.inputs), batch.targets)];
  });
  const values = await Promise.all([loss.data(), mse.data()]);
  tf.dispose([loss, mse]);
  return { loss: Array.from(values[0]), mse: Array.from(values[1]) };
}
