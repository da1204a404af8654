/**
 * The policy π(a|o): a small MLP on normalised observations.
 * - box actions: a = low + (high − low)·(tanh(u) + 1)/2 with u ~ N(μ(o), σ²), σ a learned,
 *   state-independent scale (as in REINFORCE/PPO baselines); the deterministic action uses u = μ(o);
 * - discrete actions: a categorical over logits(o).
 * Its weights are tfjs variables (trained in imagination); `snapshot()` copies them into plain
 * arrays so acting one step in the real env runs in plain JS (see jsPolicy.ts), which is faster
 * than a tfjs call for a single small forward pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { Rng } from '../rng';

export interface PolicyShape {
  readonly observationDim: number;
  readonly actionSpace: ActionSpace;
  readonly width: number;
  readonly depth: number;
  /** Fixed input normalisation (from the first real data), so the policy's inputs do not drift. */
  readonly inputMean: Float32Array;
  readonly inputScale: Float32Array;
}

export interface PolicySnapshot {
  readonly shape: PolicyShape;
  /** weights[l] is [in × out] row-major, biases[l] is [out]; hidden layers use tanh. */
  readonly weights: Float32Array[];
  readonly biases: Float32Array[];
  readonly logStd: number;
}

const INITIAL_LOG_STD = -0.5;

export class PolicyNetwork {
  readonly shape: PolicyShape;
  readonly weights: tf.Variable[] = [];
  readonly biases: tf.Variable[] = [];
  /** log σ of the box action's pre-squash Gaussian; unused for discrete actions. */
  readonly logStd: tf.Variable;
  private readonly inputMean: tf.Tensor1D;
  private readonly inputScale: tf.Tensor1D;

  constructor(shape: PolicyShape, rng: Rng) {
    this.shape = shape;
    const sizes = [shape.observationDim, ...Array<number>(shape.depth).fill(shape.width), outputSize(shape.actionSpace)];
    for (let layer = 0; layer + 1 < sizes.length; layer++) {
      const fanIn = sizes[layer];
      const isOutput = layer + 2 === sizes.length;
      // Small final layer: the first policy acts near the middle of the action space.
      const std = isOutput ? 0.01 : Math.sqrt(1 / fanIn);
      this.weights.push(
        tf.tidy(() => tf.variable(tf.randomNormal([fanIn, sizes[layer + 1]], 0, std, 'float32', rng.seed32()))),
      );
      this.biases.push(tf.tidy(() => tf.variable(tf.zeros([sizes[layer + 1]]))));
    }
    this.logStd = tf.tidy(() => tf.variable(tf.scalar(INITIAL_LOG_STD)));
    this.inputMean = tf.tensor1d(shape.inputMean);
    this.inputScale = tf.tensor1d(shape.inputScale);
  }

  get variables(): tf.Variable[] {
    return this.shape.actionSpace.kind === 'box'
      ? [...this.weights, ...this.biases, this.logStd]
      : [...this.weights, ...this.biases];
  }

  /** The pre-squash mean μ(o) (box) or the logits (discrete): [B, outputSize]. */
  head(observations: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = observations.sub(this.inputMean).div(this.inputScale) as tf.Tensor2D;
      const last = this.weights.length - 1;
      for (let layer = 0; layer < last; layer++) {
        h = tf.tanh(tf.matMul(h, this.weights[layer]).add(this.biases[layer]));
      }
      return tf.matMul(h, this.weights[last]).add(this.biases[last]) as tf.Tensor2D;
    });
  }

  /** Box only: squashes pre-activation u into the action box. */
  squash(u: tf.Tensor2D): tf.Tensor2D {
    const space = this.shape.actionSpace;
    if (space.kind !== 'box') throw new Error('PolicyNetwork.squash: only box actions are squashed');
    const half = (space.high - space.low) / 2;
    return tf.tidy(() => tf.tanh(u).mul(half).add(space.low + half));
  }

  /** The deterministic action: squashed mean (box) or the one-hot of the arg-max (discrete). */
  deterministicAction(observations: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const head = this.head(observations);
      if (this.shape.actionSpace.kind === 'box') return this.squash(head);
      return tf.oneHot(head.argMax(1), this.shape.actionSpace.n).toFloat() as tf.Tensor2D;
    });
  }

  /** Read asynchronously: a synchronous read on WebGPU lost the device in headless Chromium. */
  async snapshot(): Promise<PolicySnapshot> {
    const [weights, biases, logStd] = await Promise.all([
      Promise.all(this.weights.map((w) => w.data() as Promise<Float32Array>)),
      Promise.all(this.biases.map((b) => b.data() as Promise<Float32Array>)),
      this.logStd.data(),
    ]);
    return { shape: this.shape, weights, biases, logStd: logStd[0] };
  }

  dispose(): void {
    for (const variable of [...this.weights, ...this.biases, this.logStd]) variable.dispose();
    this.inputMean.dispose();
    this.inputScale.dispose();
  }
}

export function outputSize(space: ActionSpace): number {
  return space.kind === 'box' ? space.dim : space.n;
}
