/**
 * A stack of dense layers with its backward pass written out, for the imagination engine:
 *   forward    a_0 = x,  z_l = a_{l−1}·W_l + b_l,  a_l = act_l(z_l)
 *   backward   dz_l = da_l ⊙ act_l′(z_l),  da_{l−1} = dz_l·W_lᵀ,
 *              ∂L/∂W_l = Σ_rows a_{l−1}ᵀ·dz_l,  ∂L/∂b_l = Σ_rows dz_l
 * One fused kernel per layer forward, one matMul (by a Wᵀ transposed once, not per call) and one
 * activation-gradient kernel per layer backward. The weight gradients are left to the caller: a
 * rollout calls the stack once per imagined step, and the sum over steps is one matMul on the
 * stacked activations (`weightGradients`), not H small ones.
 */
import * as tf from '@tensorflow/tfjs';
import {
  activationDerivative,
  activationGradient,
  explicitTransposes,
  matMul,
  matMulTransposedA,
  splitRows,
  type StackActivation,
} from './kernels';

export interface DenseLayer {
  readonly weight: tf.Tensor2D;
  /** Rank 1: WASM's fused kernel takes no other. */
  readonly bias: tf.Tensor1D;
  readonly activation: StackActivation;
}

export interface DenseStack {
  readonly layers: readonly DenseLayer[];
  /** Wᵀ per layer, for backward passes: a transposed matMul runs ~10× slower on WASM. */
  readonly transposed: readonly tf.Tensor2D[];
}

/** What a forward pass keeps for its backward pass: every layer's input, and the output. */
export interface StackTrace {
  /** inputs[l] is a_{l}: x, then each hidden layer's output. */
  readonly inputs: tf.Tensor2D[];
  readonly output: tf.Tensor2D;
}

export function makeStack(layers: readonly DenseLayer[]): DenseStack {
  return { layers, transposed: layers.map((layer) => tf.transpose(layer.weight)) };
}

export function disposeStack(stack: DenseStack): void {
  tf.dispose([...stack.layers.flatMap((l) => [l.weight, l.bias]), ...stack.transposed]);
}

/** y = act(x·W + b): one kernel where the backend fuses the activation, two for tanh. */
export function denseLayer(x: tf.Tensor2D, layer: DenseLayer): tf.Tensor2D {
  if (layer.activation === 'tanh') return tf.tanh(matMul(x, layer.weight, layer.bias));
  return matMul(x, layer.weight, layer.bias, layer.activation);
}

export function forwardStack(stack: DenseStack, x: tf.Tensor2D): StackTrace {
  const inputs: tf.Tensor2D[] = [x];
  let a = x;
  stack.layers.forEach((layer, l) => {
    a = denseLayer(a, layer);
    if (l + 1 < stack.layers.length) inputs.push(a);
  });
  return { inputs, output: a };
}

/** The output alone, keeping nothing. */
export function applyStack(stack: DenseStack, x: tf.Tensor2D): tf.Tensor2D {
  return stack.layers.reduce((a, layer) => denseLayer(a, layer), x);
}

/**
 * dL/dx for dL/dy = `dOutput`, and each layer's dz (for `weightGradients`). `inputGradient: false`
 * skips the first layer's da_0 = dz_1·W_1ᵀ when only the weights' gradients are wanted.
 * `derivatives[l]`: act′ of layer l precomputed as a factor (`stackDerivatives`), else from y.
 */
export function backwardStack(
  stack: DenseStack,
  trace: StackTrace,
  dOutput: tf.Tensor2D,
  inputGradient = true,
  derivatives: readonly (tf.Tensor2D | null)[] | null = null,
): { dx: tf.Tensor2D | null; dz: tf.Tensor2D[] } {
  const L = stack.layers.length;
  const dz: tf.Tensor2D[] = new Array<tf.Tensor2D>(L);
  let da = dOutput;
  for (let l = L - 1; l >= 0; l--) {
    const layer = stack.layers[l];
    const out = l + 1 < L ? trace.inputs[l + 1] : trace.output;
    const factor = derivatives?.[l] ?? null;
    dz[l] =
      factor === null
        ? activationGradient(da, out, layer.activation)
        : (tf.mul(da, factor) as tf.Tensor2D);
    if (l > 0 || inputGradient) da = matMul(dz[l], stack.transposed[l]);
  }
  return { dx: inputGradient ? da : null, dz };
}

/**
 * Each layer's act′ over many traces of the same stack (one per imagined step), computed on their
 * rows stacked and cut back into steps: per step, [layer] → factor (null for linear layers).
 */
export function stackDerivatives(
  stack: DenseStack,
  traces: readonly StackTrace[],
): (tf.Tensor2D | null)[][] {
  const L = stack.layers.length;
  const perLayer = stack.layers.map((layer, l) => {
    if (layer.activation === 'linear') return null;
    const activation = layer.activation;
    return tf.tidy(() => {
      const outputs = traces.map((trace) => (l + 1 < L ? trace.inputs[l + 1] : trace.output));
      return splitRows(
        activationDerivative(tf.concat(outputs, 0) as tf.Tensor2D, activation),
        traces.length,
      );
    });
  });
  return traces.map((_, t) => perLayer.map((factors) => (factors === null ? null : factors[t])));
}

/**
 * ∂L/∂W = Σ aᵀ·dz and ∂L/∂b = Σ dz over rows, for a layer whose inputs and dz come in pieces
 * (one per imagined step): one concat each, then one matMul. Measured on WASM (explicit
 * transposes, see kernels.ts):
 * - XNNPACK packs a matMul's right operand afresh for every new tensor (~0.3 ms for
 *   [2048, 64]), so the narrower of a and dz goes on the right: aᵀ·dz, or (dzᵀ·a)ᵀ;
 * - its transpose of a matrix whose row count is a multiple of 512 thrashes the cache (1.6 ms
 *   for [2048, 64], 0.46 ms with one zero row, 0.07 ms with eight or for [2112, 64]), so such a
 *   stack gets eight zero rows, which add nothing to the sums.
 */
export function weightGradients(
  inputs: readonly tf.Tensor2D[],
  dz: readonly tf.Tensor2D[],
): { weight: tf.Tensor2D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const rows = inputs.reduce((n, t) => n + t.shape[0], 0);
    const pad = rows % 512 === 0 && explicitTransposes() ? 8 : 0;
    const stack = (pieces: readonly tf.Tensor2D[]) => {
      const all =
        pad === 0 ? [...pieces] : [...pieces, tf.zeros([pad, pieces[0].shape[1]]) as tf.Tensor2D];
      return all.length === 1 ? all[0] : (tf.concat(all, 0) as tf.Tensor2D);
    };
    const a = stack(inputs);
    const d = stack(dz);
    const weight =
      a.shape[1] < d.shape[1] ? tf.transpose(matMulTransposedA(d, a)) : matMulTransposedA(a, d);
    return { weight: weight as tf.Tensor2D, bias: columnSums(d) };
  });
}

/** Σ over rows as a matMul by a row of ones: WASM reduces over axis 0 through a transpose. */
export function columnSums(x: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(matMul(tf.ones([1, x.shape[0]]) as tf.Tensor2D, x), [-1]) as tf.Tensor1D;
}
