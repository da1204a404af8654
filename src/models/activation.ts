/**
 * Hidden-layer activations, and how each one runs fast in tfjs.
 *
 * `tf.fused.matMul` fuses bias and activation into the matMul kernel for relu, elu and sigmoid
 * (30 vs 12 GFLOP/s on WASM, DESIGN.md), but not tanh or silu. tanh still fuses through an exact
 * identity, tanh(z) = 2·sigmoid(2z) − 1: the factor 2 and the affine map go into the weights
 * (see inferenceWeights.ts), and WASM's sigmoid is ~15× faster than its tanh kernel.
 */
import * as tf from '@tensorflow/tfjs';

export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'silu', 'sigmoid'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** Fused-kernel activations tfjs accepts, for the forward pass. */
export type FusedActivation = 'linear' | 'relu' | 'elu' | 'sigmoid';

/** The activation the fused kernel runs for a layer (tanh: as sigmoid, weights rescaled). */
export function fusedKernelActivation(activation: Activation): FusedActivation | null {
  switch (activation) {
    case 'relu':
    case 'elu':
    case 'sigmoid':
      return activation;
    case 'tanh':
      return 'sigmoid';
    case 'silu':
      return null;
  }
}

/** Applies the activation to pre-activations z, by the fastest formula on every backend. */
export function activate(z: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'elu':
      return tf.elu(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'tanh':
      return tf.sub(tf.mul(tf.sigmoid(tf.mul(z, 2)), 2), 1);
    case 'silu':
      return tf.mul(z, tf.sigmoid(z));
  }
}

/**
 * d activation / dz, written with the output y where that is enough (relu, elu, sigmoid, tanh)
 * and with z otherwise (silu).
 */
export function activationDerivative(z: tf.Tensor, y: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.step(y);
    case 'elu':
      // y > 0: 1; else y = e^z − 1, so dy/dz = e^z = y + 1.
      return tf.where(tf.greater(y, 0), tf.onesLike(y), tf.add(y, 1));
    case 'sigmoid':
      return tf.mul(y, tf.sub(1, y));
    case 'tanh':
      return tf.sub(1, tf.square(y));
    case 'silu': {
      const s = tf.sigmoid(z);
      return tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))));
    }
  }
}

/** The activation on plain numbers, for references and tests. */
export function activateScalar(z: number, activation: Activation): number {
  switch (activation) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'elu':
      return z > 0 ? z : Math.expm1(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'tanh':
      return Math.tanh(z);
    case 'silu':
      return z / (1 + Math.exp(-z));
  }
}
