/**
 * One dense layer, y = act(x·W + b), as a tfjs op with a hand-written gradient.
 *
 * Why not tfjs's own gradient: it differentiates matMul with `transposeA/B` matMuls, which the
 * WASM backend runs as a naive loop (1.6 GFLOP/s measured, against 21 for a plain matMul after an
 * explicit `tf.transpose`), and it refuses fused activations other than relu. Here the forward
 * pass is one fused kernel and the backward pass uses either explicit transposes or the flags,
 * whichever the backend is fast at (`TransposeMode`, chosen by measurement in layout.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { activationDerivative, fusedKernelActivation, type Activation, type FusedActivation } from './activation';

export type TransposeMode = 'explicit' | 'flags';

/** A hidden activation, or 'linear' for output heads. */
export type LayerActivation = Activation | 'linear';

type DenseOp = (x: tf.Tensor2D, weight: tf.Tensor2D, bias: tf.Tensor1D) => tf.Tensor2D;

const cache = new Map<string, DenseOp>();

export function dense(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: LayerActivation,
  transposes: TransposeMode,
): tf.Tensor2D {
  // Nothing is recording gradients: skip the custom-gradient wrapper (tfjs's fused ops decide so too).
  if (tf.engine().state.gradientDepth === 0) return denseForward(x, weight, bias, activation).y;
  const key = `${activation}/${transposes}`;
  let op = cache.get(key);
  if (op === undefined) {
    op = makeDenseOp(activation, transposes);
    cache.set(key, op);
  }
  return op(x, weight, bias);
}

/** The forward pass alone (no tape), as fast as the backend allows. */
export function denseForward(
  x: tf.Tensor2D,
  weight: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: LayerActivation,
): { z: tf.Tensor2D | null; y: tf.Tensor2D } {
  if (activation === 'linear') return { z: null, y: fusedMatMul(x, weight, bias, 'linear') };
  if (activation === 'tanh') {
    // tanh(z) = 2·sigmoid(2z) − 1, with the 2z folded into a fused sigmoid kernel.
    const s = fusedMatMul(x, tf.mul(weight, 2), tf.mul(bias, 2), 'sigmoid');
    return { z: null, y: tf.sub(tf.mul(s, 2), 1) as tf.Tensor2D };
  }
  const fused = fusedKernelActivation(activation);
  if (fused !== null) return { z: null, y: fusedMatMul(x, weight, bias, fused) };
  const z = fusedMatMul(x, weight, bias, 'linear');
  return { z, y: tf.mul(z, tf.sigmoid(z)) as tf.Tensor2D };
}

/**
 * The fused kernel itself. Not `tf.fused.matMul`: under a gradient tape that falls back to
 * matMul + add + activation (it cannot differentiate most fused activations), but this forward
 * pass is never differentiated by tfjs, the gradFunc below is.
 */
function fusedMatMul(a: tf.Tensor2D, b: tf.Tensor2D, bias: tf.Tensor, activation: FusedActivation): tf.Tensor2D {
  const [rows, inner] = a.shape;
  const out = tf.engine().runKernel(
    '_FusedMatMul',
    { a: tf.reshape(a, [1, rows, inner]), b: tf.reshape(b, [1, inner, b.shape[1]]), bias },
    { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
  ) as tf.Tensor;
  return tf.reshape(out, [rows, b.shape[1]]);
}

function makeDenseOp(activation: LayerActivation, transposes: TransposeMode): DenseOp {
  const op = tf.customGrad((...args: unknown[]) => {
    const [x, weight, bias, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const { z, y } = denseForward(x, weight, bias, activation);
    save(z === null ? [x, weight, y] : [x, weight, y, z]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xs, w, ys, zs] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D?];
        const dyTensor = dy as tf.Tensor2D;
        // dz = dy ⊙ act'(z);  dx = dz·Wᵀ;  dW = xᵀ·dz;  db = Σ_rows dz.
        const dz =
          activation === 'linear'
            ? dyTensor
            : (tf.mul(dyTensor, activationDerivative(zs ?? ys, ys, activation)) as tf.Tensor2D);
        const dx =
          transposes === 'explicit' ? tf.matMul(dz, tf.transpose(w)) : tf.matMul(dz, w, false, true);
        const dw =
          transposes === 'explicit' ? tf.matMul(tf.transpose(xs), dz) : tf.matMul(xs, dz, true, false);
        // Σ_rows as a matMul by a row of ones: WASM reduces over axis 0 through a transpose.
        const db = tf.reshape(tf.matMul(tf.ones([1, dz.shape[0]]), dz), [-1]);
        return [dx, dw, db];
      },
    };
  });
  return op as unknown as DenseOp;
}
