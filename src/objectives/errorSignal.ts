/**
 * The Error-MDP's reward: a one-step error e(o, a) of the model, defined for any (o, a) the
 * adversary may imagine, differentiable in a so the adversary can follow its gradient.
 *
 * - 'critic': the error as the value sees it, e(o, a) ≈ E_m |V(ô'_m) − V(o')|, known on real
 *   transitions only; an error head (a small MLP) fitted to it on held-out real transitions
 *   carries it off the data. Errors that move no value cost nothing: that is the policy-aware part.
 * - 'disagreement': the spread of the ensemble's predictions, mean_k std_m(ô'_m,k)/σ_Δk; a proxy
 *   that needs no real next state, and the naive adversary of the ablation (it seeks novelty).
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import { actionFeatureDim, encodeActions } from '../models/actions';
import type { WorldModel } from '../models/worldModel';
import type { Rng } from '../rng';

/** e(o, a): observations [R, d], env-format or relaxed one-hot actions [R, ·] → [R]. */
export type ErrorSignal = (observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D;

/** Disagreement of the ensemble, in normalised delta units (needs two members or more). */
export function disagreementSignal(model: WorldModel): ErrorSignal {
  if (model.config.members < 2)
    throw new Error('the disagreement signal needs an ensemble of two members or more');
  const d = model.observationDim;
  return (observations, actions) =>
    tf.tidy(() => {
      const next = model.predict(observations, actions).nextObservations; // [E, R, d]
      const deltaStd = tf.tensor1d(Float32Array.from(model.stats.targetStd).subarray(0, d));
      const { variance } = tf.moments(tf.div(next, deltaStd), 0);
      // √(var + ε): the gradient of √x is infinite where members agree exactly.
      return tf.mean(tf.sqrt(tf.add(variance, 1e-8)), 1) as tf.Tensor1D;
    });
}

export interface ErrorHeadShape {
  readonly observationDim: number;
  readonly actionSpace: ActionSpace;
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
  readonly width: number;
}

/** Regression steps per fit, minibatch rows, and Adam's step: a small head fits in a blink. */
const FIT = { steps: 200, batch: 128, learningRate: 3e-3 };

/**
 * The error head ê(o, a) ≥ 0: softplus of an MLP on normalised (o, action features), regressed
 * on the critic error measured on held-out real transitions. Its output is in value units.
 */
export class ErrorHead {
  private readonly weights: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];
  private readonly inputMean: tf.Tensor1D;
  private readonly inputScale: tf.Tensor1D;
  private readonly optimizer = tf.train.adam(FIT.learningRate);
  /** Targets are regressed divided by their mean, so one learning rate suits every value scale. */
  private targetScale = 1;

  constructor(
    private readonly shape: ErrorHeadShape,
    rng: Rng,
  ) {
    const features = actionFeatureDim(shape.actionSpace);
    const sizes = [shape.observationDim + features, shape.width, shape.width, 1];
    for (let layer = 0; layer + 1 < sizes.length; layer++) {
      const std = Math.sqrt(1 / sizes[layer]);
      // In a tidy: tf.variable copies its initial value, which would otherwise outlive the run.
      this.weights.push(
        tf.tidy(() =>
          tf.variable(
            tf.randomNormal([sizes[layer], sizes[layer + 1]], 0, std, 'float32', rng.seed32()),
          ),
        ),
      );
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([sizes[layer + 1]]))));
    }
    // Action features enter as they are: box actions are bounded, one-hots are 0/1.
    this.inputMean = tf.tensor1d([...shape.inputMean, ...Array<number>(features).fill(0)]);
    this.inputScale = tf.tensor1d([...shape.inputScale, ...Array<number>(features).fill(1)]);
  }

  readonly signal: ErrorSignal = (observations, actions) =>
    tf.tidy(
      () => tf.mul(this.normalisedOutput(observations, actions), this.targetScale) as tf.Tensor1D,
    );

  /**
   * Fits ê to the measured errors of real rows (observations [n, d], env-format actions [n],
   * errors [n]); resolves to the final mean squared error in value units squared (read
   * asynchronously: a synchronous read on WebGPU lost the device in headless Chromium).
   */
  async fit(
    observations: Float32Array,
    actions: Float32Array,
    errors: Float32Array,
    rng: Rng,
  ): Promise<number> {
    const n = errors.length;
    if (n === 0) throw new Error('error head: no transitions to fit');
    const d = this.shape.observationDim;
    let mean = 0;
    for (const e of errors) mean += e / n;
    this.targetScale = Math.max(mean, 1e-6);
    const batch = Math.min(FIT.batch, n);
    const rowsObs = new Float32Array(batch * d);
    const rowsAct = new Float32Array(batch);
    const rowsErr = new Float32Array(batch);
    let loss = Number.NaN;
    for (let step = 0; step < FIT.steps; step++) {
      for (let i = 0; i < batch; i++) {
        const row = rng.int(n);
        rowsObs.set(observations.subarray(row * d, (row + 1) * d), i * d);
        rowsAct[i] = actions[row];
        rowsErr[i] = errors[row] / this.targetScale;
      }
      const last = step === FIT.steps - 1;
      const value = tf.tidy(() => {
        const o = tf.tensor2d(rowsObs, [batch, d]);
        const a = tf.tensor2d(rowsAct, [batch, 1]);
        const target = tf.tensor1d(rowsErr);
        const value = this.optimizer.minimize(
          () => tf.mean(tf.square(tf.sub(this.normalisedOutput(o, a), target))) as tf.Scalar,
          last,
          [...this.weights, ...this.biases],
        );
        // Only the last step asks minimize for its loss; the others return nothing to keep.
        return value ?? undefined;
      });
      if (value !== undefined) {
        try {
          loss = (await value.data())[0] * this.targetScale ** 2;
        } finally {
          value.dispose();
        }
      }
    }
    return loss;
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases, this.inputMean, this.inputScale]);
    this.optimizer.dispose();
  }

  private normalisedOutput(observations: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const features = encodeActions(actions, this.shape.actionSpace);
      let h = tf.div(
        tf.sub(tf.concat([observations, features], 1), this.inputMean),
        this.inputScale,
      ) as tf.Tensor2D;
      const last = this.weights.length - 1;
      for (let layer = 0; layer < last; layer++)
        h = tf.tanh(tf.add(tf.matMul(h, this.weights[layer]), this.biases[layer]));
      return tf.reshape(
        tf.softplus(tf.add(tf.matMul(h, this.weights[last]), this.biases[last])),
        [-1],
      ) as tf.Tensor1D;
    });
  }
}

/**
 * The Error-MDP's reward for an imagined rollout: r_t = e(o_t, a_t), zero after termination.
 * Observations [H+1, R, d], actions [H, R, ·] → [H, R].
 */
export function errorRewards(
  signal: ErrorSignal,
  observations: tf.Tensor3D,
  actions: tf.Tensor3D,
  alive: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const [H, R] = alive.shape;
    const d = observations.shape[2];
    const before = tf.reshape(tf.slice(observations, [0, 0, 0], [H, R, d]), [
      H * R,
      d,
    ]) as tf.Tensor2D;
    const flatActions = tf.reshape(actions, [H * R, -1]) as tf.Tensor2D;
    return tf.mul(tf.reshape(signal(before, flatActions), [H, R]), alive) as tf.Tensor2D;
  });
}
