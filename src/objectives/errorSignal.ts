/**
 * The Error-MDP's reward: a one-step error e(o, a) of the model, defined for any (o, a) the
 * adversary may imagine, differentiable in a so the adversary can follow its gradient.
 *
 * - 'critic': the error as the value sees it, e(o, a) ≈ E_m |V(ô'_m) − V(o')|, known on real
 *   transitions only; an error head (a small MLP) fitted to it on held-out real transitions
 *   carries it off the data. Errors that move no value cost nothing: that is the policy-aware part.
 * - 'disagreement': the spread of the ensemble's predictions, mean_k std_m(ô'_m,k)/σ_Δk; a proxy
 *   that needs no real next state, and the naive adversary of the ablation (it seeks novelty).
 *
 * Each signal comes twice: `value`, the definition in plain tfjs ops (which the tests
 * differentiate by tfjs's tape), and `reward`, the same e as the imagination engine's reward
 * term with its gradient written out.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import { backwardStack, disposeStack, forwardStack, type DenseStack } from '../imagination/denseStack';
import { FrozenEnsemble } from '../imagination/frozenEnsemble';
import { featureGradient, transitionRows, type ImaginedReward, type RewardGradients, type RewardTerm } from '../imagination/rewardTerm';
import type { ImaginedRollout } from '../imagination/rollout';
import { TanhFolder } from '../imagination/tanhFold';
import { actionFeatureDim, encodeActions } from '../models/actions';
import { tidyKeeping } from '../models/tidy';
import type { WorldModel } from '../models/worldModel';
import type { Rng } from '../rng';

export interface ErrorSignal {
  /** e(o, a): observations [R, d], env-format or relaxed one-hot actions [R, ·] → [R]. */
  readonly value: (observations: tf.Tensor2D, actions: tf.Tensor2D) => tf.Tensor1D;
  /** r_t = e(o_t, a_t)·alive_t for an imagined rollout, with ∂/∂(o_t, f_t). */
  readonly reward: ImaginedReward;
  dispose(): void;
}

/** √(var + ε): the gradient of √x is infinite where members agree exactly. */
const SPREAD_EPSILON = 1e-8;

/**
 * Disagreement of the ensemble, in normalised delta units (needs two members or more):
 *   e = (1/d)·Σ_k √(v_k + ε),  v_k = (1/E)·Σ_m (y_mk − ȳ_k)²,  y_mk = Δ̂_mk/σ_Δk
 *   ∂e/∂Δ̂_mk = (y_mk − ȳ_k) / (d·E·σ_Δk·√(v_k + ε))
 * Its engine form runs every member on the rollout's rows (frozenEnsemble.ts's memberDeltas).
 */
export async function disagreementSignal(model: WorldModel): Promise<ErrorSignal> {
  if (model.config.members < 2)
    throw new Error('the disagreement signal needs an ensemble of two members or more');
  const d = model.observationDim;
  const E = model.config.members;
  const deltaStd = Float32Array.from(model.stats.targetStd).subarray(0, d);
  const ensemble = await FrozenEnsemble.fromModel(model, { reward: 'known', actionInput: 'env' });
  const space = model.spec.actionSpace;
  const value = (observations: tf.Tensor2D, actions: tf.Tensor2D) =>
    tf.tidy(() => {
      const next = model.predict(observations, actions).nextObservations; // [E, R, d]
      const { variance } = tf.moments(tf.div(next, tf.tensor1d(deltaStd)), 0);
      return tf.mean(tf.sqrt(tf.add(variance, SPREAD_EPSILON)), 1) as tf.Tensor1D;
    });
  const rewrite = (rollout: ImaginedRollout): RewardTerm => {
    const rows = transitionRows(rollout);
    const n = rows.before.shape[0];
    const input = tf.tidy(() => tf.concat([rows.before, encodeActions(rows.actions, space)], 1) as tf.Tensor2D);
    const { deltas, trace } = ensemble.memberDeltas(input);
    const parts = tidyKeeping(() => {
      const y = tf.div(tf.reshape(deltas, [n, E, d]), tf.tensor1d(deltaStd));
      const mean = tf.mean(y, 1, true);
      const centred = tf.sub(y, mean);
      const root = tf.sqrt(tf.add(tf.mean(tf.square(centred), 1, true), SPREAD_EPSILON));
      const e = tf.mean(root, [1, 2]);
      return { centred, root, rewards: tf.mul(tf.reshape(e, rollout.alive.shape), rollout.alive) as tf.Tensor2D };
    });
    return {
      rewards: parts.rewards,
      backward: (dRewards) =>
        tidyKeeping((): RewardGradients => {
          const dE = tf.reshape(tf.mul(dRewards, rollout.alive), [n, 1, 1]);
          const dY = tf.div(tf.mul(parts.centred, dE), tf.mul(parts.root, d * E));
          const dDeltas = tf.reshape(tf.div(dY, tf.tensor1d(deltaStd)), [n, E * d]) as tf.Tensor2D;
          const dInput = ensemble.memberDeltasBackward(dDeltas, trace);
          return { ...splitInputGradient(dInput, d, space), after: null, learnedReward: null };
        }),
      dispose: () => {
        tf.dispose([input, deltas, parts.centred, parts.root, parts.rewards, ...trace.hidden, ...trace.preActivations, trace.mask.weights]);
        tf.dispose([rows.before, rows.actions, rows.after]);
      },
    };
  };
  const reward: ImaginedReward = Object.assign(rewrite, {
    description: { kind: 'disagreement' as const, deltaStd },
  });
  return { value, reward, dispose: () => ensemble.dispose() };
}

/** ∂/∂o_t and ∂/∂f_t from the gradient w.r.t. [o, encoded action] (env units). */
function splitInputGradient(dInput: tf.Tensor2D, d: number, space: ActionSpace): Pick<RewardGradients, 'before' | 'features'> {
  const f = dInput.shape[1] - d;
  return {
    before: tf.slice(dInput, [0, 0], [-1, d]) as tf.Tensor2D,
    features: featureGradient(tf.slice(dInput, [0, d], [-1, f]) as tf.Tensor2D, space),
  };
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
  private readonly inputMoments: { readonly mean: Float32Array; readonly scale: Float32Array };
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
    this.inputMoments = {
      mean: Float32Array.from([...shape.inputMean, ...Array<number>(features).fill(0)]),
      scale: Float32Array.from([...shape.inputScale, ...Array<number>(features).fill(1)]),
    };
    this.inputMean = tf.tensor1d(this.inputMoments.mean);
    this.inputScale = tf.tensor1d(this.inputMoments.scale);
  }

  /**
   * ê as the adversary's reward for the head as it is now (refit each iteration): its value in
   * plain ops, and its engine form, the head folded (tanhFold.ts) with
   *   ∂ê/∂x = s·σ(z)·∂z/∂x   (ê = s·softplus(z), s the target scale, softplus′ = σ)
   */
  signal(): ErrorSignal {
    const scale = this.targetScale;
    const space = this.shape.actionSpace;
    const d = this.shape.observationDim;
    const value = (observations: tf.Tensor2D, actions: tf.Tensor2D) =>
      tf.tidy(() => tf.mul(this.normalisedOutput(observations, actions), scale) as tf.Tensor1D);
    const folder = new TanhFolder(this.network(), { output: 'linear' });
    const stack: DenseStack = folder.fold(this.network());
    const rewrite = (rollout: ImaginedRollout): RewardTerm => {
      const rows = transitionRows(rollout);
      const input = tf.tidy(() => tf.concat([rows.before, encodeActions(rows.actions, space)], 1) as tf.Tensor2D);
      const trace = forwardStack(stack, input);
      const rewards = tf.tidy(() => tf.mul(tf.reshape(tf.mul(tf.softplus(trace.output), scale), rollout.alive.shape), rollout.alive) as tf.Tensor2D);
      return {
        rewards,
        backward: (dRewards) =>
          tidyKeeping((): RewardGradients => {
            const dOutput = tf.mul(tf.mul(tf.reshape(tf.mul(dRewards, rollout.alive), [-1, 1]), tf.sigmoid(trace.output)), scale) as tf.Tensor2D;
            const { dx } = backwardStack(stack, trace, dOutput);
            return { ...splitInputGradient(dx as tf.Tensor2D, d, space), after: null, learnedReward: null };
          }),
        dispose: () => tf.dispose([rows.before, rows.actions, rows.after, input, rewards, ...trace.inputs.slice(1), trace.output]),
      };
    };
    const reward: ImaginedReward = Object.assign(rewrite, {
      description: { kind: 'errorHead' as const, network: this.network(), scale },
    });
    return {
      value,
      reward,
      dispose: () => {
        disposeStack(stack);
        folder.dispose();
      },
    };
  }

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

  /** The MLP under the softplus, with its input normalisation, as tanhFold.ts reads networks. */
  private network() {
    return {
      weights: this.weights as unknown as tf.Tensor2D[],
      biases: this.biases as unknown as tf.Tensor1D[],
      inputMean: this.inputMoments.mean,
      inputScale: this.inputMoments.scale,
    };
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
  signal: ErrorSignal['value'],
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
