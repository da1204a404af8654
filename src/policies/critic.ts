/**
 * The critic V(o), learned on imagined rollouts with TD(λ) targets:
 *   G^λ_H = V(o_H),   G^λ_t = r_t + γ·c_t·((1 − λ)·V(o_{t+1}) + λ·G^λ_{t+1}),
 * where c_t = 0 once the trajectory has terminated. It gives the gradient optimiser its terminal
 * value, REINFORCE its baseline, and the Error-MDP and the bound their value scale.
 */
import * as tf from '@tensorflow/tfjs';
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
  private optimizer: tf.Optimizer;

  constructor(
    shape: CriticShape,
    private readonly learningRate: number,
    rng: Rng,
  ) {
    const sizes = [shape.observationDim, ...Array<number>(shape.depth).fill(shape.width), 1];
    for (let layer = 0; layer + 1 < sizes.length; layer++) {
      const std = Math.sqrt(1 / sizes[layer]);
      this.weights.push(
        tf.tidy(() => tf.variable(tf.randomNormal([sizes[layer], sizes[layer + 1]], 0, std, 'float32', rng.seed32()))),
      );
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([sizes[layer + 1]]))));
    }
    this.inputMean = tf.tensor1d(shape.inputMean);
    this.inputScale = tf.tensor1d(shape.inputScale);
    this.optimizer = tf.train.adam(learningRate);
  }

  get variables(): tf.Variable[] {
    return [...this.weights, ...this.biases];
  }

  /** Forgets Adam's moments (after a divergence they may hold NaN). */
  resetOptimizer(): void {
    this.optimizer.dispose();
    this.optimizer = tf.train.adam(this.learningRate);
  }

  /** V(o) for observations [R, d] → [R]. */
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

  /** V over a trajectory tensor [T, R, d] → [T, R]. */
  valueOfSteps(observations: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [T, R, d] = observations.shape;
      return this.value(observations.reshape([T * R, d])).reshape([T, R]) as tf.Tensor2D;
    });
  }

  /** The TD(λ) targets [H, R] of a rollout; call it outside a gradient scope to use them as constants. */
  lambdaReturns(rollout: ImaginedTrajectories, discount: number, lambda: number): tf.Tensor2D {
    return tf.tidy(() => {
      const values = this.valueOfSteps(rollout.observations);
      const { rewards, alive } = rollout;
      const H = rewards.shape[0];
      // c_t: the trajectory goes on after step t; for the last step, alive at t stands in for it.
      const rewardRows = tf.unstack(rewards);
      const aliveRows = tf.unstack(alive);
      const valueRows = tf.unstack(values);
      const targets: tf.Tensor[] = new Array<tf.Tensor>(H);
      let next = valueRows[H].mul(aliveRows[H - 1]);
      for (let t = H - 1; t >= 0; t--) {
        const goesOn = t + 1 < H ? aliveRows[t + 1] : aliveRows[t];
        const bootstrap = valueRows[t + 1].mul(1 - lambda).add(next.mul(lambda));
        next = rewardRows[t].add(bootstrap.mul(goesOn).mul(discount)).mul(aliveRows[t]);
        targets[t] = next;
      }
      return tf.stack(targets) as tf.Tensor2D;
    });
  }

  /**
   * One regression step of V(o_t) toward the λ-returns of a rollout; resolves to the loss. The
   * loss is read asynchronously: a synchronous read on WebGPU goes through a canvas, which lost
   * the device in headless Chromium (docs/BENCHMARKS.md, "WebGPU in the worker").
   */
  async train(rollout: ImaginedTrajectories, discount: number, lambda: number): Promise<number> {
    const loss = tf.tidy(() => {
      const targets = this.lambdaReturns(rollout, discount, lambda);
      const H = targets.shape[0];
      const [, R, d] = rollout.observations.shape;
      const inputs = rollout.observations.slice([0, 0, 0], [H, R, d]) as tf.Tensor3D;
      const weight = rollout.alive;
      const loss = this.optimizer.minimize(
        () => {
          const error = this.valueOfSteps(inputs).sub(targets);
          return error.square().mul(weight).sum().div(weight.sum().add(1e-6)) as tf.Scalar;
        },
        true,
        [...this.weights, ...this.biases],
      );
      return loss ?? tf.scalar(Number.NaN);
    });
    try {
      return (await loss.data())[0];
    } finally {
      loss.dispose();
    }
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.biases, this.inputMean, this.inputScale]);
    this.optimizer.dispose();
  }
}
