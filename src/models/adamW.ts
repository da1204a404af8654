/**
 * Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019), over a fixed list of
 * variables. Written out rather than tf.train.adam because that has no decoupled decay; one fused
 * kernel per variable on WASM and CPU (src/imagination/kernels.ts), a dozen ops elsewhere:
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   θ ← θ − α·[ m̂ / (√v̂ + ε) + λθ ]        (λ only on weight matrices)
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate } from '../imagination/kernels';

export interface AdamWSettings {
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

export class AdamW {
  private readonly variables: tf.Variable[];
  private readonly decays: boolean[];
  private readonly firstMoments: tf.Variable[];
  private readonly secondMoments: tf.Variable[];
  private steps = 0;

  /** `decays[i]`: whether variable i takes weight decay (weights yes, biases and bounds no). */
  constructor(variables: tf.Variable[], decays: boolean[]) {
    this.variables = variables;
    this.decays = decays;
    this.firstMoments = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
    this.secondMoments = variables.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  get stepCount(): number {
    return this.steps;
  }

  /** Applies one update from gradients aligned with the variables (they are not disposed). */
  apply(gradients: tf.Tensor[], settings: AdamWSettings): void {
    const beta1 = settings.beta1 ?? 0.9;
    const beta2 = settings.beta2 ?? 0.999;
    const epsilon = settings.epsilon ?? 1e-8;
    this.steps++;
    // Bias corrections folded into the step size, as in the Adam paper's section 2.
    const stepSize =
      (settings.learningRate * Math.sqrt(1 - beta2 ** this.steps)) / (1 - beta1 ** this.steps);
    const decay = settings.learningRate * settings.weightDecay;
    this.variables.forEach((variable, i) => {
      const next = adamUpdate(variable, gradients[i], this.firstMoments[i], this.secondMoments[i], {
        beta1,
        beta2,
        epsilon,
        stepSize,
        decay: this.decays[i] ? decay : 0,
      });
      this.firstMoments[i].assign(next.m);
      this.secondMoments[i].assign(next.v);
      variable.assign(next.theta);
      tf.dispose([next.m, next.v, next.theta]);
    });
  }

  dispose(): void {
    for (const moment of [...this.firstMoments, ...this.secondMoments]) moment.dispose();
  }
}
