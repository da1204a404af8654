/**
 * The classifier of "Mismatched No More": C(s, a, s') = P(real | s, a, s'), a small MLP trained by
 * binary cross-entropy to tell real transitions (label 1) from the model's (label 0) on the same
 * (s, a). Its logit estimates the log density ratio the paper's lower bound needs:
 *   logit C(s, a, s') = log C/(1 − C) ≈ log p(s'|s, a) − log q(s'|s, a)     (p the world, q the model)
 * It reads s' as the change Δ = s' − s: what the model predicts, and where a wrong model differs.
 *
 * Inputs are normalised by fixed moments so their meaning never drifts while it trains across
 * iterations: s by the run's input moments, the box action by its half-range, Δ by the moments of
 * the first real deltas it is trained on. The first layer reads the three parts through three
 * weights (three matMuls summed) rather than one weight on their concatenation: WASM copies
 * columns slowly, and the parts arrive separately (the model's predicted Δ, the rollout's actions).
 */
import * as tf from '@tensorflow/tfjs';
import type { TransitionBatch } from '../data/replayBuffer';
import type { ActionSpace } from '../envs/types';
import { actionFeatureDim, encodeActionArray } from '../models/actions';
import { makeStack, type DenseStack } from '../imagination/denseStack';
import { AdamW } from '../models/adamW';
import { dense } from '../models/dense';
import { layoutFor } from '../models/layout';
import type { Rng } from '../rng';

export interface ClassifierShape {
  readonly observationDim: number;
  readonly actionSpace: ActionSpace;
  readonly width: number;
  readonly depth: number;
  /** Moments of the observations (the run's uniform box), fixed for the run. */
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
}

/** Transitions as row-major arrays: s [n, d], the model's action features [n, f], Δ = s' − s [n, d]. */
export interface ClassifierRows {
  readonly count: number;
  readonly observations: Float32Array;
  readonly actionFeatures: Float32Array;
  readonly deltas: Float32Array;
}

/** A delta column whose spread is below this is left unscaled. */
const MIN_DELTA_STD = 1e-6;

export class TransitionClassifier {
  readonly shape: ClassifierShape;
  /** The first layer reads s, a and Δ through weights of their own. */
  private readonly first: {
    readonly s: tf.Variable;
    readonly a: tf.Variable;
    readonly delta: tf.Variable;
    readonly bias: tf.Variable;
  };
  private readonly hidden: { readonly weight: tf.Variable; readonly bias: tf.Variable }[] = [];
  /** The logit head. */
  private readonly head: { readonly weight: tf.Variable; readonly bias: tf.Variable };
  private readonly observationMean: tf.Tensor1D;
  private readonly observationScale: tf.Tensor1D;
  private readonly actionShift: tf.Tensor1D;
  private readonly actionScale: tf.Tensor1D;
  /** Set by the first training call, from its real deltas, then fixed. */
  private deltaMoments: { readonly mean: tf.Tensor1D; readonly scale: tf.Tensor1D } | null = null;
  /** Adam (AdamW without decay): a dozen ops per variable, fewer than tf.train.adam's. */
  private readonly optimizer: AdamW;
  private readonly learningRate: number;

  constructor(shape: ClassifierShape, learningRate: number, rng: Rng) {
    this.shape = shape;
    const d = shape.observationDim;
    const f = actionFeatureDim(shape.actionSpace);
    if (shape.depth < 1) throw new Error('TransitionClassifier: needs at least one hidden layer');
    const weight = (fanIn: number, fanOut: number, std: number) =>
      tf.tidy(() => tf.variable(tf.randomNormal([fanIn, fanOut], 0, std, 'float32', rng.seed32())));
    const bias = (size: number) => tf.tidy(() => tf.variable(tf.zeros([size])));
    const w = shape.width;
    // Each part's weight draws with the fan-in of the whole first layer, as one weight would.
    const firstStd = Math.sqrt(1 / (2 * d + f));
    this.first = {
      s: weight(d, w, firstStd),
      a: weight(f, w, firstStd),
      delta: weight(d, w, firstStd),
      bias: bias(w),
    };
    for (let layer = 1; layer < shape.depth; layer++)
      this.hidden.push({ weight: weight(w, w, Math.sqrt(1 / w)), bias: bias(w) });
    // A small head: the untrained classifier says ½ everywhere.
    this.head = { weight: weight(w, 1, 0.01), bias: bias(1) };
    this.observationMean = tf.tensor1d(shape.inputMean);
    this.observationScale = tf.tensor1d(shape.inputScale);
    const space = shape.actionSpace;
    // Box actions to [−1, 1]; a one-hot is already on the unit scale.
    this.actionShift = tf.tensor1d(
      space.kind === 'box' ? [(space.low + space.high) / 2] : new Array<number>(f).fill(0),
    );
    this.actionScale = tf.tensor1d(
      space.kind === 'box' ? [(space.high - space.low) / 2] : new Array<number>(f).fill(1),
    );
    this.learningRate = learningRate;
    this.optimizer = new AdamW(
      this.variables,
      this.variables.map(() => false),
    );
  }

  /** Whether it has been trained (and so knows its delta moments). */
  get ready(): boolean {
    return this.deltaMoments !== null;
  }

  get variables(): tf.Variable[] {
    const { first, hidden, head } = this;
    return [
      first.s,
      first.a,
      first.delta,
      first.bias,
      ...hidden.flatMap((l) => [l.weight, l.bias]),
      head.weight,
      head.bias,
    ];
  }

  /**
   * logit C(s, a, s') for s [R, d], the model's action features [R, f] and Δ = s' − s [R, d] → [R].
   * Differentiable in its inputs (the model's loss and the policy's bonus go through it).
   */
  logit(observations: tf.Tensor2D, actionFeatures: tf.Tensor2D, deltas: tf.Tensor2D): tf.Tensor1D {
    const moments = this.deltaMoments;
    if (moments === null)
      throw new Error('TransitionClassifier: train it before asking for logits');
    return tf.tidy(() => {
      const s = tf.div(
        tf.sub(observations, this.observationMean),
        this.observationScale,
      ) as tf.Tensor2D;
      const a = tf.div(tf.sub(actionFeatures, this.actionShift), this.actionScale) as tf.Tensor2D;
      const delta = tf.div(tf.sub(deltas, moments.mean), moments.scale) as tf.Tensor2D;
      const { first } = this;
      // h₁ = elu(s·W_s + a·W_a + Δ·W_Δ + b₁)
      const z = tf.addN([
        tf.matMul(s, first.s),
        tf.matMul(a, first.a),
        tf.matMul(delta, first.delta),
      ]);
      let h = tf.elu(tf.add(z, first.bias)) as tf.Tensor2D;
      // The wide layers through dense.ts, whose backward pass avoids the transposed matMuls WASM
      // runs as a naive loop (the first layer's inner dimensions are too small to matter).
      const { transposes } = layoutFor(tf.getBackend());
      const weights = (layer: { weight: tf.Variable; bias: tf.Variable }) =>
        [layer.weight as tf.Tensor as tf.Tensor2D, layer.bias as tf.Tensor as tf.Tensor1D] as const;
      for (const layer of this.hidden) h = dense(h, ...weights(layer), 'elu', transposes);
      return tf.reshape(dense(h, ...weights(this.head), 'linear', transposes), [-1]) as tf.Tensor1D;
    });
  }

  /**
   * The same logit as one stack of dense layers on [s | features | Δ] (src/imagination/
   * denseStack.ts), the three normalisations folded into the first layer:
   *   W₁ = [W_s/σ_s; W_a/σ_a; W_Δ/σ_Δ],   b₁ = b − (μ_s/σ_s)·W_s − (μ_a/σ_a)·W_a − (μ_Δ/σ_Δ)·W_Δ
   * For the imagination engine, which backpropagates through it by hand; the caller disposes it.
   */
  foldedStack(): DenseStack {
    const moments = this.deltaMoments;
    if (moments === null) throw new Error('TransitionClassifier: train it before folding it');
    const layers = tf.tidy(() => {
      const { first } = this;
      const parts = [
        { weight: first.s, mean: this.observationMean, scale: this.observationScale },
        { weight: first.a, mean: this.actionShift, scale: this.actionScale },
        { weight: first.delta, mean: moments.mean, scale: moments.scale },
      ];
      const scaled = parts.map((p) => tf.div(p.weight, tf.reshape(p.scale, [-1, 1])) as tf.Tensor2D);
      const shift = parts.map((p, i) => tf.matMul(tf.reshape(p.mean, [1, -1]), scaled[i]));
      // Computed in rank 1: WASM's fused kernel checks the rank its bias buffer was made with.
      const bias = tf.sub(first.bias, tf.reshape(tf.addN(shift), [-1])) as tf.Tensor1D;
      const layers = [{ weight: tf.concat(scaled, 0) as tf.Tensor2D, bias, activation: 'elu' as const }];
      for (const layer of this.hidden) layers.push({ weight: layer.weight.clone() as tf.Tensor2D, bias: layer.bias.clone() as tf.Tensor1D, activation: 'elu' });
      return [...layers, { weight: this.head.weight.clone() as tf.Tensor2D, bias: this.head.bias.clone() as tf.Tensor1D, activation: 'linear' as const }];
    });
    return makeStack(layers);
  }

  /**
   * `steps` Adam steps of binary cross-entropy on minibatches of b real rows and their b model
   * twins (the same rows of `model`: the same (s, a), so only s' can tell them apart):
   *   L(C) = −½ [ mean_real log C(s, a, s') + mean_model log(1 − C(s, a, ŝ')) ]
   *        = ½ [ mean softplus(−logit_real) + mean softplus(logit_model) ]
   * Resolves to the last step's loss (read asynchronously: a synchronous read on WebGPU lost the
   * device in headless Chromium).
   */
  async train(
    real: ClassifierRows,
    model: ClassifierRows,
    steps: number,
    batchSize: number,
    rng: Rng,
  ): Promise<number> {
    if (real.count === 0 || real.count !== model.count) {
      throw new Error(
        'TransitionClassifier.train: needs as many model rows as real rows, and some',
      );
    }
    if (this.deltaMoments === null)
      this.deltaMoments = deltaMoments(real.deltas, this.shape.observationDim);
    const d = this.shape.observationDim;
    const f = actionFeatureDim(this.shape.actionSpace);
    const b = batchSize;
    const observations = new Float32Array(2 * b * d);
    const features = new Float32Array(2 * b * f);
    const deltas = new Float32Array(2 * b * d);
    const labels = new Float32Array(2 * b).fill(1, 0, b);
    let loss = Number.NaN;
    const variables = this.variables;
    for (let step = 0; step < steps; step++) {
      for (let i = 0; i < b; i++) {
        const row = rng.int(real.count);
        for (const [k, rows] of [real, model].entries()) {
          const at = k * b + i;
          observations.set(rows.observations.subarray(row * d, (row + 1) * d), at * d);
          features.set(rows.actionFeatures.subarray(row * f, (row + 1) * f), at * f);
          deltas.set(rows.deltas.subarray(row * d, (row + 1) * d), at * d);
        }
      }
      const cost = tf.tidy(() => {
        const s = tf.tensor2d(observations, [2 * b, d]);
        const a = tf.tensor2d(features, [2 * b, f]);
        const delta = tf.tensor2d(deltas, [2 * b, d]);
        const y = tf.tensor1d(labels);
        // BCE on logits: softplus(ℓ) − y·ℓ  (= −log C for y = 1, −log(1 − C) for y = 0)
        const { value, grads } = tf.variableGrads(() => {
          const logits = this.logit(s, a, delta);
          return tf.mean(tf.sub(tf.softplus(logits), tf.mul(y, logits))) as tf.Scalar;
        }, variables);
        this.optimizer.apply(
          variables.map((v) => grads[v.name]),
          { learningRate: this.learningRate, weightDecay: 0 },
        );
        return value;
      });
      try {
        if (step === steps - 1) loss = (await cost.data())[0];
      } finally {
        cost.dispose();
      }
    }
    return loss;
  }

  /**
   * Balanced accuracy on rows it did not train on: each real row and its model twin, judged at
   * C = ½ (a tie, the same logit for both, counts as one right and one wrong).
   */
  async accuracy(real: ClassifierRows, model: ClassifierRows): Promise<number> {
    if (real.count === 0 || real.count !== model.count) return Number.NaN;
    const logits = (rows: ClassifierRows) =>
      this.logit(
        tf.tensor2d(rows.observations, [rows.count, this.shape.observationDim]),
        tf.tensor2d(rows.actionFeatures, [rows.count, actionFeatureDim(this.shape.actionSpace)]),
        tf.tensor2d(rows.deltas, [rows.count, this.shape.observationDim]),
      );
    const scores = tf.tidy(() => tf.stack([logits(real), logits(model)]));
    const [realLogits, modelLogits] = (await scores.array()) as number[][];
    scores.dispose();
    let correct = 0;
    for (let i = 0; i < real.count; i++) {
      correct += realLogits[i] > 0 ? 1 : realLogits[i] === 0 ? 0.5 : 0;
      correct += modelLogits[i] < 0 ? 1 : modelLogits[i] === 0 ? 0.5 : 0;
    }
    return correct / (2 * real.count);
  }

  dispose(): void {
    tf.dispose([
      ...this.variables,
      this.observationMean,
      this.observationScale,
      this.actionShift,
      this.actionScale,
    ]);
    if (this.deltaMoments !== null) tf.dispose([this.deltaMoments.mean, this.deltaMoments.scale]);
    this.optimizer.dispose();
  }
}

/** Real transitions from the buffer as the classifier reads them. */
export function realRows(batch: TransitionBatch, space: ActionSpace): ClassifierRows {
  const deltas = new Float32Array(batch.observations.length);
  for (let i = 0; i < deltas.length; i++)
    deltas[i] = batch.nextObservations[i] - batch.observations[i];
  return {
    count: batch.count,
    observations: batch.observations,
    actionFeatures: encodeActionArray(batch.actions, space),
    deltas,
  };
}

function deltaMoments(deltas: Float32Array, d: number): { mean: tf.Tensor1D; scale: tf.Tensor1D } {
  const n = deltas.length / d;
  const mean = new Float64Array(d);
  const squares = new Float64Array(d);
  for (let i = 0; i < deltas.length; i++) mean[i % d] += deltas[i] / n;
  for (let i = 0; i < deltas.length; i++) squares[i % d] += (deltas[i] - mean[i % d]) ** 2 / n;
  const scale = Array.from(squares, (v) => (Math.sqrt(v) < MIN_DELTA_STD ? 1 : Math.sqrt(v)));
  return { mean: tf.tensor1d(Float32Array.from(mean)), scale: tf.tensor1d(scale) };
}
