/**
 * The world model's weights read for the imagination engine and folded, per member, on the host
 * in float64 (then rounded once to float32):
 *   input normalisation   x̃ = (x − μ)/σ              → W₀ ← diag(1/σ)·W₀,  b₀ ← b₀ − (μ/σ)·W₀
 *   tanh hidden layers    tanh(z) = 2σ(2z) − 1        → sigmoid layers, the "2s − 1" absorbed by the next
 *   output denormalisation ŷ·σₜ + μₜ                  → W ← W·diag(σₜ),  b ← b·σₜ + μₜ   (real-unit Δo, r)
 *   squashed box actions  a = low + (high − low)·s    → the action row of W₀ scaled, b₀ shifted
 * The head keeps the delta columns, plus the reward column when the reward is learned. Both
 * layouts (blockEnsemble.ts, memberEnsemble.ts) are built from these.
 */
import type { ActionSpace } from '../envs/types';
import type { Activation } from '../models/activation';
import { actionFeatureDim } from '../models/actions';
import type { WorldModel } from '../models/worldModel';

/** How the rollout hands actions to the model. */
export type ActionInput =
  /** Env-format actions, encoded as the model was trained: box clipped, discrete one-hot or relaxed. */
  | 'env'
  /** Box only: s ∈ (0, 1) with a = low + (high − low)·s (the policy's squashed output, folded in). */
  | 'squashed';

export interface EnsembleColumns {
  /** Observation columns d. */
  readonly observation: number;
  /** State columns: the observation, then the learned reward's accumulator if the reward is learned. */
  readonly state: number;
  /** Action feature columns f. */
  readonly features: number;
  /** Model input columns: state, then features. */
  readonly input: number;
}

export interface EnsembleColumns {
  /** Observation columns d. */
  readonly observation: number;
  /** State columns: the observation, then the learned reward's accumulator if the reward is learned. */
  readonly state: number;
  /** Action feature columns f. */
  readonly features: number;
  /** Model input columns: state, then features. */
  readonly input: number;
}

export interface FoldOptions {
  readonly reward: 'known' | 'learned';
  readonly actionInput: ActionInput;
}

export interface HostLayer {
  readonly rows: number;
  readonly columns: number;
  /** Row-major [rows, columns]. */
  readonly weight: Float64Array;
  readonly bias: Float64Array;
}

export interface Matrix {
  readonly rows: number;
  readonly columns: number;
  readonly values: Float64Array;
}

/**
 * Reads the model's weights (asynchronously: a synchronous read loses a WebGPU device) and folds
 * each member's layers. Gaussian models step to their mean: the log-variance head is not read.
 */
export async function foldModel(
  model: WorldModel,
  options: FoldOptions,
): Promise<{ perMember: HostLayer[][]; columns: EnsembleColumns }> {
  const space = model.spec.actionSpace;
  if (options.actionInput === 'squashed' && space.kind !== 'box')
    throw new Error('FrozenEnsemble: squashed actions are for box spaces');
  const params = model.ensemble;
  const E = params.shape.members;
  const d = model.observationDim;
  const f = actionFeatureDim(space);
  const learned = options.reward === 'learned';
  const state = d + (learned ? 1 : 0);
  const columns: EnsembleColumns = { observation: d, state, features: f, input: state + f };
  const [weights, biases] = await Promise.all([
    Promise.all(
      params.weights.map((layer) =>
        Promise.all(layer.map((w) => w.data() as Promise<Float32Array>)),
      ),
    ),
    Promise.all(
      params.biases.map((layer) =>
        Promise.all(layer.map((b) => b.data() as Promise<Float32Array>)),
      ),
    ),
  ]);
  const perMember = Array.from({ length: E }, (_, m) =>
    foldMember(
      weights.map((layer, l) => ({
        values: layer[m],
        rows: params.weights[l][m].shape[0],
        columns: params.weights[l][m].shape[1] as number,
      })),
      biases.map((layer) => layer[m]),
      model.stats,
      model.config.activation,
      {
        observation: d,
        features: f,
        learnedReward: learned,
        actionInput: options.actionInput,
        space,
      },
    ),
  );
  return { perMember, columns };
}

/** Model input column of a member's input row i (the accumulator sits between o and the features). */
export function inputColumn(i: number, columns: EnsembleColumns): number {
  return i < columns.observation ? i : i + (columns.state - columns.observation);
}

interface MemberLayout {
  readonly observation: number;
  readonly features: number;
  readonly learnedReward: boolean;
  readonly actionInput: ActionInput;
  readonly space: ActionSpace;
}

/**
 * One member's layers with normalisation, tanh-as-sigmoid and the output scale folded in. The
 * head keeps the delta columns, plus the reward column when it is learned.
 */
function foldMember(
  weights: { values: Float32Array; rows: number; columns: number }[],
  biases: Float32Array[],
  stats: WorldModel['stats'],
  activation: Activation,
  layout: MemberLayout,
): HostLayer[] {
  const L = weights.length - 1;
  const d = layout.observation;
  const outputs = d + (layout.learnedReward ? 1 : 0);
  const layers: HostLayer[] = [];
  let previousTanh = false;
  for (let l = 0; l <= L; l++) {
    const { rows, columns: allColumns } = weights[l];
    const columns = l === L ? outputs : allColumns;
    const w = new Float64Array(rows * columns);
    const b = new Float64Array(columns);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < columns; j++) w[i * columns + j] = weights[l].values[i * allColumns + j];
    for (let j = 0; j < columns; j++) b[j] = biases[l][j];
    if (l === 0) {
      // (x − μ)/σ·W + b = x·(W/σ) + (b − (μ/σ)·W)
      for (let i = 0; i < rows; i++) {
        const sigma = stats.inputStd[i];
        const mu = stats.inputMean[i];
        for (let j = 0; j < columns; j++) {
          w[i * columns + j] /= sigma;
          b[j] -= mu * w[i * columns + j];
        }
      }
      if (layout.actionInput === 'squashed' && layout.space.kind === 'box') {
        // a = low + (high − low)·s: the action row scales by the range, the bias takes low·row.
        const { low, high } = layout.space;
        for (let j = 0; j < columns; j++) {
          const at = d * columns + j;
          b[j] += low * w[at];
          w[at] *= high - low;
        }
      }
    }
    if (previousTanh) {
      // The input is s with h = 2s − 1: W′ = 2W, b′ = b − 1ᵀW.
      for (let j = 0; j < columns; j++) {
        let sum = 0;
        for (let i = 0; i < rows; i++) sum += w[i * columns + j];
        b[j] -= sum;
      }
      for (let k = 0; k < w.length; k++) w[k] *= 2;
    }
    if (l < L && activation === 'tanh') {
      // tanh(z) = 2σ(2z) − 1: this layer computes σ(2z).
      for (let k = 0; k < w.length; k++) w[k] *= 2;
      for (let j = 0; j < columns; j++) b[j] *= 2;
    }
    if (l === L) {
      // ŷ·σₜ + μₜ
      for (let j = 0; j < columns; j++) {
        const sigma = stats.targetStd[j];
        for (let i = 0; i < rows; i++) w[i * columns + j] *= sigma;
        b[j] = b[j] * sigma + stats.targetMean[j];
      }
    }
    previousTanh = l < L && activation === 'tanh';
    layers.push({ rows, columns, weight: w, bias: b });
  }
  return layers;
}

export function zeros(rows: number, columns: number): Matrix {
  return { rows, columns, values: new Float64Array(rows * columns) };
}

export function set(matrix: Matrix, row: number, column: number, value: number): void {
  matrix.values[row * matrix.columns + column] = value;
}

export function transpose(matrix: Matrix): Matrix {
  const out = zeros(matrix.columns, matrix.rows);
  for (let i = 0; i < matrix.rows; i++)
    for (let j = 0; j < matrix.columns; j++) set(out, j, i, matrix.values[i * matrix.columns + j]);
  return out;
}

/** [E, E·n]: row m is 1 on member m's block of n units. */
export function blockOnes(E: number, n: number): Float32Array {
  const out = new Float32Array(E * E * n);
  for (let m = 0; m < E; m++) out.fill(1, m * E * n + m * n, m * E * n + (m + 1) * n);
  return out;
}

export function toFloat32(values: Float64Array): Float32Array {
  return Float32Array.from(values);
}
