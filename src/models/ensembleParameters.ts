/**
 * The ensemble's trainable tensors: one variable per member, layer and kind, so that a member's
 * layer is a plain 2-D [in, out] weight and a rank-1 bias.
 *
 * Why not one stacked [E, in, out] variable per layer: the per-member layout would then unstack
 * it on every training step, and WASM's slice copies the whole source buffer once per slice
 * (2.2 ms per step for E = 5 of 200×200, measured), while AdamW over 5× more, smaller variables
 * costs 0.7 ms more. The batched layout stacks them instead, which is cheap where it is chosen.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { Activation } from './activation';

export interface EnsembleShape {
  readonly members: number;
  readonly inputDim: number;
  /** Normalised next-observation deltas, then the reward. */
  readonly outputDim: number;
  /** 0 makes each member affine in its normalised inputs. */
  readonly hiddenLayers: number;
  readonly hiddenUnits: number;
  readonly activation: Activation;
  /** Gaussian likelihood: a log-variance head with soft bounds, as PETS/MBPO. */
  readonly gaussian: boolean;
}

/** PETS's initial soft bounds on the log-variance, in normalised output units. */
export const INITIAL_MAX_LOG_VAR = 0.5;
export const INITIAL_MIN_LOG_VAR = -10;

/** One kind of parameter across members: `members[m]` is member m's tensor. */
export interface MemberVariables {
  readonly name: string;
  readonly members: tf.Variable[];
  /** Takes weight decay (weight matrices do; biases and log-variance bounds do not). */
  readonly decays: boolean;
}

export class EnsembleParameters {
  readonly shape: EnsembleShape;
  /** weights[l][m]: member m's layer-l weight [in_l, out_l]; the last layer is the mean head. */
  readonly weights: tf.Variable[][];
  /** biases[l][m]: [out_l]. */
  readonly biases: tf.Variable[][];
  /** The Gaussian head from the last hidden layer, and its learned bounds ([D] per member). */
  readonly logVarHead: {
    readonly weight: tf.Variable[];
    readonly bias: tf.Variable[];
    readonly max: tf.Variable[];
    readonly min: tf.Variable[];
  } | null;

  constructor(shape: EnsembleShape, rng: Rng) {
    const { members, inputDim, outputDim, hiddenLayers, hiddenUnits } = shape;
    if (members < 1 || hiddenLayers < 0 || hiddenUnits < 1) {
      throw new Error('EnsembleParameters: needs members ≥ 1, hiddenLayers ≥ 0, hiddenUnits ≥ 1');
    }
    this.shape = shape;
    const sizes = [inputDim, ...Array<number>(hiddenLayers).fill(hiddenUnits), outputDim];
    const perMember = (make: () => tf.Variable) => Array.from({ length: members }, make);
    this.weights = [];
    this.biases = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.weights.push(perMember(() => initialWeight(sizes[l], sizes[l + 1], rng)));
      this.biases.push(perMember(() => filled([sizes[l + 1]], 0)));
    }
    const lastHidden = sizes[sizes.length - 2];
    this.logVarHead = shape.gaussian
      ? {
          weight: perMember(() => initialWeight(lastHidden, outputDim, rng)),
          bias: perMember(() => filled([outputDim], 0)),
          max: perMember(() => filled([outputDim], INITIAL_MAX_LOG_VAR)),
          min: perMember(() => filled([outputDim], INITIAL_MIN_LOG_VAR)),
        }
      : null;
  }

  /** Every parameter kind under a stable name (tfjs's own variable names are global). */
  groups(): MemberVariables[] {
    const head = this.logVarHead;
    return [
      ...this.weights.map((members, l) => ({ name: `weight${l}`, members, decays: true })),
      ...this.biases.map((members, l) => ({ name: `bias${l}`, members, decays: false })),
      ...(head === null
        ? []
        : [
            { name: 'logVarWeight', members: head.weight, decays: true },
            { name: 'logVarBias', members: head.bias, decays: false },
            { name: 'maxLogVar', members: head.max, decays: false },
            { name: 'minLogVar', members: head.min, decays: false },
          ]),
    ];
  }

  /** Every trainable variable, in a fixed order. */
  variables(): tf.Variable[] {
    return this.groups().flatMap((group) => group.members);
  }

  /** Aligned with `variables()`: which take weight decay. */
  decayMask(): boolean[] {
    return this.groups().flatMap((group) => group.members.map(() => group.decays));
  }

  dispose(): void {
    for (const variable of this.variables()) variable.dispose();
  }
}

function filled(shape: number[], value: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value)));
}

/** mbrl-lib's initialiser: truncated normal (cut at 2σ), σ = 1 / (2√fan_in), from our RNG. */
function initialWeight(fanIn: number, fanOut: number, rng: Rng): tf.Variable {
  const values = new Float32Array(fanIn * fanOut);
  const std = 1 / (2 * Math.sqrt(fanIn));
  for (let i = 0; i < values.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > 2) z = rng.normal();
    values[i] = z * std;
  }
  return tf.tidy(() => tf.variable(tf.tensor2d(values, [fanIn, fanOut])));
}
