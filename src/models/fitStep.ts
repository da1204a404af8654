/**
 * One minibatch step's gradient for the ensemble, backpropagated by hand through each member:
 *   forward   h₀ = x̃,  h_l = act(h_{l−1}·W_l + b_l),  μ̂ = h_L·W_out + b_out
 *             (Gaussian) log σ² = min + softplus(u − min),  u = max − softplus(max − (h_L·W_σ + b_σ))
 *   backward  (∂L/∂μ̂, ∂L/∂log σ²) from the objective (objective.ts), then
 *             ∂L/∂W = hᵀ·dz,  ∂L/∂b = Σ_rows dz,  dh = dz·Wᵀ,  dz = dh ⊙ act′   down the layers,
 *             the soft bounds: ∂log σ²/∂raw = σ(u − min)·σ(max − raw),
 *             ∂/∂max = σ(u − min)·(1 − σ(max − raw)) + 0.01,  ∂/∂min = 1 − σ(u − min) − 0.01
 *             (the ±0.01 the bound penalty's, likelihood.ts)
 * Members share nothing, so Σ_m of their losses gives each its own gradient. One kernel per
 * layer forward and about seven backward per member: ~90 for a 3-member, 2-hidden-layer model with
 * AdamW, where tfjs's tape over the same loss ran ~400.
 */
import * as tf from '@tensorflow/tfjs';
import { activationGradient, matMul, matMulTransposedA, matMulTransposedB } from '../imagination/kernels';
import type { EnsembleParameters } from './ensembleParameters';
import { LOG_VAR_BOUND_PENALTY } from './likelihood';
import type { MemberBatch, ModelObjective, ObjectiveContext } from './objective';
import { tidyKeeping } from './tidy';

/** What a member's forward pass keeps: each layer's input, the silu pre-activations, the bounds. */
interface MemberTrace {
  readonly hidden: tf.Tensor2D[];
  readonly preActivations: (tf.Tensor2D | null)[];
  readonly mean: tf.Tensor2D;
  readonly logVar: { readonly value: tf.Tensor2D; readonly upperGate: tf.Tensor2D; readonly rawGate: tf.Tensor2D } | null;
}

/**
 * ∂(Σ_m loss_m)/∂θ for every variable of the ensemble, aligned with `params.variables()`; the
 * caller disposes them (bias gradients may come as rows [1, n]: AdamW reads them flat).
 */
export function fitGradients(params: EnsembleParameters, batch: MemberBatch, objective: ModelObjective, context: ObjectiveContext): tf.Tensor[] {
  const E = params.shape.members;
  const L = params.weights.length - 1;
  const b = batch.inputs[0].shape[0];
  return tidyKeeping(() => {
    const ones = tf.ones([1, b]) as tf.Tensor2D;
    const columnSums = (x: tf.Tensor2D) => matMul(ones, x);
    const traces = batch.inputs.map((x, m) => memberForward(params, x, m));
    const gradient = objective.gradient(batch, { mean: traces.map((t) => t.mean), logVar: params.logVarHead === null ? null : traces.map((t) => (t.logVar as NonNullable<MemberTrace['logVar']>).value) }, context);
    const weights: tf.Tensor[][] = params.weights.map(() => new Array<tf.Tensor>(E));
    const biases: tf.Tensor[][] = params.biases.map(() => new Array<tf.Tensor>(E));
    const head = params.logVarHead === null ? null : { weight: new Array<tf.Tensor>(E), bias: new Array<tf.Tensor>(E), max: new Array<tf.Tensor>(E), min: new Array<tf.Tensor>(E) };
    for (let m = 0; m < E; m++) {
      const trace = traces[m];
      const last = trace.hidden[L];
      const dMean = gradient.mean[m];
      weights[L][m] = matMulTransposedA(last, dMean);
      biases[L][m] = columnSums(dMean);
      let dh = L > 0 ? matMulTransposedB(dMean, params.weights[L][m] as tf.Tensor as tf.Tensor2D) : null;
      if (head !== null && gradient.logVar !== null && trace.logVar !== null && params.logVarHead !== null) {
        const { upperGate, rawGate } = trace.logVar;
        const dLogVar = gradient.logVar[m];
        const dUpper = tf.mul(dLogVar, upperGate);
        const dRaw = tf.mul(dUpper, rawGate) as tf.Tensor2D;
        head.weight[m] = matMulTransposedA(last, dRaw);
        head.bias[m] = columnSums(dRaw);
        head.max[m] = tf.add(columnSums(tf.sub(dUpper, dRaw) as tf.Tensor2D), LOG_VAR_BOUND_PENALTY);
        head.min[m] = tf.sub(columnSums(tf.sub(dLogVar, dUpper) as tf.Tensor2D), LOG_VAR_BOUND_PENALTY);
        if (L > 0) dh = tf.add(dh as tf.Tensor2D, matMulTransposedB(dRaw, params.logVarHead.weight[m] as tf.Tensor as tf.Tensor2D)) as tf.Tensor2D;
      }
      for (let l = L - 1; l >= 0; l--) {
        const z = trace.preActivations[l];
        const dz = z === null ? activationGradient(dh as tf.Tensor2D, trace.hidden[l + 1], stackActivation(params.shape.activation)) : siluGradient(dh as tf.Tensor2D, z);
        weights[l][m] = matMulTransposedA(trace.hidden[l], dz);
        biases[l][m] = columnSums(dz);
        if (l > 0) dh = matMulTransposedB(dz, params.weights[l][m] as tf.Tensor as tf.Tensor2D);
      }
    }
    const grads: tf.Tensor[] = [...weights.flat(), ...biases.flat()];
    if (head !== null) grads.push(...head.weight, ...head.bias, ...head.max, ...head.min);
    return grads;
  });
}

function memberForward(params: EnsembleParameters, x: tf.Tensor2D, m: number): MemberTrace {
  const L = params.weights.length - 1;
  const activation = params.shape.activation;
  const hidden: tf.Tensor2D[] = [x];
  const preActivations: (tf.Tensor2D | null)[] = [];
  let h = x;
  for (let l = 0; l < L; l++) {
    const w = params.weights[l][m] as tf.Tensor as tf.Tensor2D;
    const b = params.biases[l][m] as tf.Tensor as tf.Tensor1D;
    if (activation === 'silu') {
      const z = matMul(h, w, b);
      preActivations.push(z);
      h = tf.mul(z, tf.sigmoid(z)) as tf.Tensor2D;
    } else if (activation === 'tanh') {
      preActivations.push(null);
      h = tf.tanh(matMul(h, w, b));
    } else {
      preActivations.push(null);
      h = matMul(h, w, b, activation);
    }
    hidden.push(h);
  }
  const mean = matMul(h, params.weights[L][m] as tf.Tensor as tf.Tensor2D, params.biases[L][m] as tf.Tensor as tf.Tensor1D);
  const head = params.logVarHead;
  if (head === null) return { hidden, preActivations, mean, logVar: null };
  const raw = matMul(h, head.weight[m] as tf.Tensor as tf.Tensor2D, head.bias[m] as tf.Tensor as tf.Tensor1D);
  const max = head.max[m];
  const min = head.min[m];
  const upper = tf.sub(max, tf.softplus(tf.sub(max, raw)));
  return {
    hidden,
    preActivations,
    mean,
    logVar: {
      value: tf.add(min, tf.softplus(tf.sub(upper, min))) as tf.Tensor2D,
      // softplus′ = σ: ∂log σ²/∂u and ∂u/∂raw.
      upperGate: tf.sigmoid(tf.sub(upper, min)) as tf.Tensor2D,
      rawGate: tf.sigmoid(tf.sub(max, raw)) as tf.Tensor2D,
    },
  };
}

/** silu′(z) = σ(z)·(1 + z·(1 − σ(z))). */
function siluGradient(dy: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
  const s = tf.sigmoid(z);
  return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))))) as tf.Tensor2D;
}

function stackActivation(activation: EnsembleParameters['shape']['activation']): 'relu' | 'elu' | 'sigmoid' | 'tanh' {
  if (activation === 'silu') throw new Error('silu′ needs the pre-activation');
  return activation;
}
