/**
 * AdamW's update of one variable on WebGPU as one dispatch (tfjs ops take a dozen): m′, v′ and
 * θ′ written by the same program (tfjsWebgpu.ts), the step's scalars read from a small buffer so
 * that one pipeline serves every variable and step.
 *   m′ = β₁m + (1−β₁)g,  v′ = β₂v + (1−β₂)g²,  θ′ = θ − stepSize·m′/(√v′ + ε) − decay·θ
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamSettings } from '../kernels';
import { dispatchSync, webgpuInternals } from './tfjsWebgpu';
import { WORKGROUP } from './wgslMath';

const ADAM = `
@group(0) @binding(0) var<storage, read> theta: array<f32>;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
// β₁, 1 − β₁, β₂, 1 − β₂, ε, stepSize, decay, the element count
@group(0) @binding(4) var<storage, read> step: array<f32>;
@group(0) @binding(5) var<storage, read_write> thetaNext: array<f32>;
@group(0) @binding(6) var<storage, read_write> mNext: array<f32>;
@group(0) @binding(7) var<storage, read_write> vNext: array<f32>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x;
  if (i >= u32(step[7])) { return; }
  let g = gradient[i];
  let m1 = step[0] * m[i] + step[1] * g;
  let v1 = step[2] * v[i] + step[3] * g * g;
  mNext[i] = m1;
  vNext[i] = v1;
  thetaNext[i] = theta[i] - step[5] * m1 / (sqrt(v1) + step[4]) - step[6] * theta[i];
}`;

const ACCESS = [...Array<'read'>(5).fill('read'), ...Array<'read_write'>(3).fill('read_write')];

/** The update on WebGPU, or null where tfjs-webgpu is not the backend in use. */
export function fusedAdam(
  theta: tf.Tensor,
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  settings: AdamSettings,
): { theta: tf.Tensor; m: tf.Tensor; v: tf.Tensor } | null {
  if (typeof webgpuInternals() === 'string') return null;
  // Exact in f32 up to 2²⁴ elements; larger variables take tfjs's ops.
  if (theta.size >= 2 ** 24) return null;
  const { beta1, beta2, epsilon, stepSize, decay } = settings;
  const step = tf.tensor1d([
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    epsilon,
    stepSize,
    decay,
    theta.size,
  ]);
  const outputs = dispatchSync(
    ADAM,
    ACCESS,
    [theta, gradient, m, v, step],
    [theta.shape, m.shape, v.shape],
    Math.ceil(theta.size / WORKGROUP),
  );
  step.dispose();
  return { theta: outputs[0], m: outputs[1], v: outputs[2] };
}
