/**
 * The WGSL helpers every fused program shares: a tanh that cannot overflow, the sigmoid and
 * softplus, and a hidden activation with its derivative from the pre-activation z.
 */
import type { Activation } from '../../models/activation';

/** Threads per workgroup in every fused program. */
export const WORKGROUP = 64;

/** A reduce program writes at most this many tensors (the device's 8 storage buffers, less its input). */
export const REDUCE_OUTPUTS = 7;

export const WGSL_MATH = `
fn tanhSafe(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoid(x: f32) -> f32 {
  return 1.0 / (1.0 + exp(-x));
}
fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}`;

/** `act(z)` and `actPrime(z)` in WGSL (after WGSL_MATH). */
export function activationWgsl(activation: Activation): string {
  switch (activation) {
    case 'relu':
      return `fn act(z: f32) -> f32 { return max(z, 0.0); }
fn actPrime(z: f32) -> f32 { return select(0.0, 1.0, z > 0.0); }`;
    case 'elu':
      return `fn act(z: f32) -> f32 { return select(exp(z) - 1.0, z, z > 0.0); }
fn actPrime(z: f32) -> f32 { return select(exp(z), 1.0, z > 0.0); }`;
    case 'sigmoid':
      return `fn act(z: f32) -> f32 { return sigmoid(z); }
fn actPrime(z: f32) -> f32 { let s = sigmoid(z); return s * (1.0 - s); }`;
    case 'silu':
      return `fn act(z: f32) -> f32 { return z * sigmoid(z); }
fn actPrime(z: f32) -> f32 { let s = sigmoid(z); return s * (1.0 + z * (1.0 - s)); }`;
    case 'tanh':
      return `fn act(z: f32) -> f32 { return tanhSafe(z); }
fn actPrime(z: f32) -> f32 { let t = tanhSafe(z); return 1.0 - t * t; }`;
  }
}
