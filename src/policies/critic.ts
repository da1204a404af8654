/**
 * The critic V(o), learned on imagined rollouts with TD(λ) targets:
 *   G^λ_H = V(o_H),   G^λ_t = r_t + γ·c_t·((1 − λ)·V(o_{t+1}) + λ·G^λ_{t+1}),
 * where c_t = 0 once the trajectory has terminated. It gives the gradient optimiser its terminal
 * value, REINFORCE its baseline, and the Error-MDP and the bound their value scale.
 *
 * Termination is absorbing (alive_t never comes back to 1) and rewards are zero after it, so the
 * recursion is linear with the same coefficients in every row:
 *   G^λ_t = Σ_{k≥t} (γλ)^{k−t}·(r_k + u_k),   u_k = γ(1−λ)·alive_{k+1}·V(o_{k+1})  (k < H−1),
 *                                              u_{H−1} = γ·alive_{H−1}·V(o_H)
 * which is one matMul by the [H, H] matrix of (γλ)^{k−t}: not H small steps.
 */
import * as tf from '@tensorflow/tfjs';
import {
  applyStack,
  backwardStack,
  disposeStack,
  forwardStack,
  weightGradients,
  type DenseStack,
} from '../imagination/denseStack';
import { matMul, slice2d } from '../imagination/kernels';
import { TanhFolder, type TanhNetwork } from '../imagination/tanhFold';
import { AdamW } from '../models/adamW';
import type { Rng } from '../rng';

export interface CriticShape {
  readonly observationDim: number;
  readonly width: number;
  readonly depth: number;
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
}

/** What TD(λ) needs of a rollout: observations [H+1, R, d], rewards [H, R], alive [H, R]. */
export interface ImaginedTrajectories {
  readonly observations: tf.Tensor3D;
  readonly rewards: tf.Tensor2D;
  readonly alive: tf.Tensor2D;
}

export class Critic {
  private readonly weights: tf.Variable[] = [];
  private readonly biases: tf.Variable[] = [];
  private readonly inputMean: tf.Tensor1D;
  private readonly inputScale: tf.Tensor1D;
  private readonly folder: TanhFolder;
  private optimizer: AdamW;

  constructor(
    private readonly shape: CriticShape,
    private readonly learningRate: number,
    rng: Rng,
  ) {
    const sizes = [shape.observationDim, ...Array<number>(shape.depth).fill(shape.width), 1];
    for (let layer = 0; layer + 1 < sizes.length; layer++) {
      const std = Math.sqrt(1 / sizes[layer]);
      this.weights.push(
        tf.tidy(() =>
          tf.variable(
            tf.randomNormal([sizes[layer], sizes[layer + 1]], 0, std, 'float32', rng.seed32()),
          ),
        ),
      );
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([sizes[layer + 1]]))));
    }
    this.inputMean = tf.tensor1d(shape.inputMean);
    this.inputScale = tf.tensor1d(shape.inputScale);
    this.folder = new TanhFolder(this.network(), { output: 'linear' });
    this.optimizer = new AdamW(
      this.variables,
      this.variables.map(() => false),
    );
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  /** Forgets Adam's moments (after a divergence they may hold NaN). */
  resetOptimizer(): void {
    this.optimizer.dispose();
    this.optimizer = new AdamW(
      this.variables,
      this.variables.map(() => false),
    );
  }

  /**
   * V(o) for observations [R, d] → [R], in plain tfjs ops: the definition, differentiable by
   * tfjs's tape (the reference the engine's gradients are tested against).
   */
  value(observations: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      let h = observations.sub(this.inputMean).div(this.inputScale) as tf.Tensor2D;
      const last = this.weights.length - 1;
      for (let layer = 0; layer < last; layer++) {
        h = tf.tanh(tf.matMul(h, this.weights[layer]).add(this.biases[layer]));
      }
      return tf.matMul(h, this.weights[last]).add(this.biases[last]).reshape([-1]) as tf.Tensor1D;
    });
  }

  /** V over a trajectory tensor [T, R, d] → [T, R], through the folded network (no tape). */
  valueOfSteps(observations: tf.Tensor3D): tf.Tensor2D {
    const stack = this.fold();
    try {
      return tf.tidy(() => {
        const [T, R, d] = observations.shape;
        return tf.reshape(applyStack(stack, tf.reshape(observations, [T * R, d])), [
          T,
          R,
        ]) as tf.Tensor2D;
      });
    } finally {
      disposeStack(stack);
    }
  }

  /** The network folded for the engine's kernels (tanhFold.ts); the caller disposes it. */
  fold(): DenseStack {
    return this.folder.fold(this.network());
  }

  /** The TD(λ) targets [H, R] of a rollout, as constants. */
  lambdaReturns(rollout: ImaginedTrajectories, discount: number, lambda: number): tf.Tensor2D {
    const values = this.valueOfSteps(rollout.observations);
    try {
      return lambdaTargets(values, rollout.rewards, rollout.alive, discount, lambda);
    } finally {
      values.dispose();
    }
  }

  /**
   * One regression step of V(o_t) toward the λ-returns of a rollout, by hand:
   *   L = Σ_t alive_t·(V(o_t) − G^λ_t)² / Σ_t alive_t,   ∂L/∂V(o_t) = 2·alive_t·(V(o_t) − G^λ_t)/Σ alive
   * Resolves to L before the step when `readLoss`, else to NaN without reading anything back (a
   * read is a sync point; the optimisers only report the last step's).
   */
  async train(
    rollout: ImaginedTrajectories,
    discount: number,
    lambda: number,
    readLoss = true,
  ): Promise<number> {
    const stack = this.fold();
    let step: { loss: tf.Tensor; grads: tf.Tensor[] };
    try {
      step = tf.tidy(() => {
        const [T, R, d] = rollout.observations.shape;
        const H = T - 1;
        const trace = forwardStack(stack, tf.reshape(rollout.observations, [T * R, d]));
        const values = tf.reshape(trace.output, [T, R]) as tf.Tensor2D;
        const targets = lambdaTargets(values, rollout.rewards, rollout.alive, discount, lambda);
        const error = tf.sub(slice2d(values, [0, 0], [H, R]), targets);
        const count = tf.add(tf.sum(rollout.alive), 1e-6);
        const loss = tf.div(tf.sum(tf.mul(tf.square(error), rollout.alive)), count);
        // The bootstrap states (t = H) are inputs to the targets only: no gradient flows there.
        const dValues = tf.concat(
          [tf.div(tf.mul(tf.mul(error, rollout.alive), 2), count), tf.zeros([1, R])],
          0,
        );
        const { dz } = backwardStack(
          stack,
          trace,
          tf.reshape(dValues, [T * R, 1]) as tf.Tensor2D,
          false,
        );
        const folded = dz.map((layerDz, l) => weightGradients([trace.inputs[l]], [layerDz]));
        const { weights, biases } = this.folder.unfoldGradients(folded);
        return { loss, grads: [...weights, ...biases] };
      });
    } finally {
      disposeStack(stack);
    }
    const { loss, grads } = step;
    try {
      this.optimizer.apply(grads, { learningRate: this.learningRate, weightDecay: 0 });
      return readLoss ? (await loss.data())[0] : Number.NaN;
    } finally {
      tf.dispose([loss, ...grads]);
    }
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases, this.inputMean, this.inputScale]);
    this.folder.dispose();
    this.optimizer.dispose();
  }

  /** The network as it is now: tanh hidden layers, a linear head, its input normalisation. */
  network(): TanhNetwork {
    return {
      weights: this.weights as unknown as tf.Tensor2D[],
      biases: this.biases as unknown as tf.Tensor1D[],
      inputMean: this.shape.inputMean,
      inputScale: this.shape.inputScale,
    };
  }
}

/** G^λ [H, R] from V over the H+1 steps [H+1, R] (the file's comment). */
export function lambdaTargets(
  values: tf.Tensor2D,
  rewards: tf.Tensor2D,
  alive: tf.Tensor2D,
  discount: number,
  lambda: number,
): tf.Tensor2D {
  const [H, R] = rewards.shape;
  return tf.tidy(() => {
    // alive_{k+1} for k < H−1, alive_{H−1} for the last step; its coefficient γ(1−λ), then γ.
    const nextAlive =
      H === 1
        ? alive
        : tf.concat([slice2d(alive, [1, 0], [H - 1, R]), slice2d(alive, [H - 1, 0], [1, R])], 0);
    const coefficients = Float32Array.from({ length: H }, (_, k) =>
      k + 1 < H ? discount * (1 - lambda) : discount,
    );
    const u = tf.mul(
      tf.mul(tf.slice(values, [1, 0], [H, R]), nextAlive),
      tf.tensor2d(coefficients, [H, 1]),
    );
    const decay = new Float32Array(H * H);
    for (let t = 0; t < H; t++)
      for (let k = t; k < H; k++) decay[t * H + k] = (discount * lambda) ** (k - t);
    // Rewards after termination count for nothing (the recursion multiplies them by alive).
    return matMul(tf.tensor2d(decay, [H, H]), tf.add(tf.mul(rewards, alive), u) as tf.Tensor2D);
  });
}
