/**
 * Adam with decoupled weight decay (AdamW, Loshchilov & Hutter 2019), over a fixed list of
 * variables. Written out rather than tf.train.adam because that has no decoupled decay, and a
 * dozen plain ops per variable on a few large stacked variables is all it takes:
 *   m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²
 *   θ ← θ − α·[ m̂ / (√v̂ + ε) + λθ ]        (λ only on weight matrices)
 */
import * as tf from '@tensorflow/tfjs';

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
    tf.tidy(() => {
      this.variables.forEach((variable, i) => {
        const g = gradients[i];
        const m = tf.add(tf.mul(this.firstMoments[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.secondMoments[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.firstMoments[i].assign(m);
        this.secondMoments[i].assign(v);
        let update = tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), stepSize);
        if (this.decays[i] && decay > 0) update = tf.add(update, tf.mul(variable, decay));
        variable.assign(tf.sub(variable, update));
      });
    });
  }

  dispose(): void {
    for (const moment of [...this.firstMoments, ...this.secondMoments]) moment.dispose();
  }
}
