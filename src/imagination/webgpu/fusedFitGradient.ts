/**
 * One fit step's gradient for an ensemble of mean-squared-error members on WebGPU, in two
 * programs and a reduce per seven variables (models/fitStep.ts writes the same by tfjs ops):
 *   rows      one workgroup per minibatch row i of member m:
 *               h₀ = x_i,  z_l = h_{l−1}·W_l + b_l,  h_l = act(z_l),  μ = h_L·W_out + b_out
 *               dμ = s_i·(μ − y_i)      s_i = 2·ŵ_i/D  (ŵ_i = 1/b, or the objective's row weight)
 *               ∂/∂W_l (row i) = h_{l−1} ⊗ dz_l,  dz_l = (dz_{l+1}·W_{l+1}ᵀ) ⊙ act′(z_l)
 *   reduce    each variable's gradient: the sum over its member's rows.
 * The members' variables are packed into one buffer by copies (no dispatch). Gaussian members
 * (a log-variance head) and objectives that add terms of their own take the tfjs path.
 */
import * as tf from '@tensorflow/tfjs';
import type { Activation } from '../../models/activation';
import type { EnsembleParameters } from '../../models/ensembleParameters';
import type { FitObjectiveDescription } from '../../models/objective';
import { denseOffsets, type DenseOffsets } from './fusedPlan';
import {
  dispatch,
  fusedPipeline,
  gpuOutput,
  packInto,
  webgpuInternals,
  type FusedPipeline,
} from './tfjsWebgpu';
import { activationWgsl, REDUCE_OUTPUTS, WGSL_MATH, WORKGROUP } from './wgslMath';

interface FitPlan {
  readonly members: number;
  readonly rows: number;
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly offsets: DenseOffsets;
}

function u32(value: number): string {
  return `${value}u`;
}

/** Bindings: params, inputs [E·b, in], targets [E·b, D], row scales [E·b], partials. */
function rowsShader(plan: FitPlan): string {
  const { sizes, offsets, rows } = plan;
  const L = sizes.length - 1;
  const P = offsets.size;
  const widest = Math.max(...sizes);
  const zs = sizes.slice(1, -1).map((_, l) => `z${l}`);
  const input = (l: number, i: string) => (l === 0 ? `x[${i}]` : `act(${zs[l - 1]}[${i}])`);
  let forward = '';
  for (let l = 0; l < L; l++) {
    const target = l + 1 < L ? zs[l] : 'mu';
    forward += `
  for (var u = j; u < ${u32(sizes[l + 1])}; u += ${u32(WORKGROUP)}) {
    var acc = params[base + ${u32(offsets.biases[l])} + u];
    for (var i = 0u; i < ${u32(sizes[l])}; i++) {
      acc += ${input(l, 'i')} * params[base + ${u32(offsets.weights[l])} + i * ${u32(sizes[l + 1])} + u];
    }
    ${target}[u] = acc;
  }
  workgroupBarrier();`;
  }
  let backward = '';
  let source = 'dOut';
  for (let l = L - 1; l >= 0; l--) {
    const outputs = sizes[l + 1];
    backward += `
  for (var u = j; u < ${u32(outputs)}; u += ${u32(WORKGROUP)}) {
    let g = ${source}[u];
    partials[row + ${u32(offsets.biases[l])} + u] = g;
    for (var i = 0u; i < ${u32(sizes[l])}; i++) {
      partials[row + ${u32(offsets.weights[l])} + i * ${u32(outputs)} + u] = ${input(l, 'i')} * g;
    }
  }`;
    if (l > 0) {
      const target = source === 'bufA' ? 'bufB' : 'bufA';
      backward += `
  for (var i = j; i < ${u32(sizes[l])}; i += ${u32(WORKGROUP)}) {
    var sum = 0.0;
    for (var u = 0u; u < ${u32(outputs)}; u++) {
      sum += ${source}[u] * params[base + ${u32(offsets.weights[l])} + i * ${u32(outputs)} + u];
    }
    ${target}[i] = sum * actPrime(${zs[l - 1]}[i]);
  }
  workgroupBarrier();`;
      source = target;
    }
  }
  const D = sizes[L];
  return `${WGSL_MATH}
${activationWgsl(plan.activation)}
@group(0) @binding(0) var<storage, read> params: array<f32>;
@group(0) @binding(1) var<storage, read> inputs: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<f32>;
@group(0) @binding(3) var<storage, read> scales: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
var<workgroup> x: array<f32, ${sizes[0]}>;
${zs.map((name, l) => `var<workgroup> ${name}: array<f32, ${sizes[l + 1]}>;`).join('\n')}
var<workgroup> mu: array<f32, ${D}>;
var<workgroup> dOut: array<f32, ${D}>;
var<workgroup> bufA: array<f32, ${widest}>;
var<workgroup> bufB: array<f32, ${widest}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.x;
  let j = lid.x;
  let base = (r / ${u32(rows)}) * ${u32(P)};
  let row = r * ${u32(P)};
  if (j < ${u32(sizes[0])}) { x[j] = inputs[r * ${u32(sizes[0])} + j]; }
  workgroupBarrier();
  ${forward}
  if (j < ${u32(D)}) { dOut[j] = scales[r] * (mu[j] - targets[r * ${u32(D)} + j]); }
  workgroupBarrier();
  ${backward}
}
`;
}

interface Segment {
  readonly member: number;
  readonly from: number;
  readonly size: number;
  readonly shape: number[];
  /** Index in `fitGradients`' order: weights layer-major then member, then biases. */
  readonly index: number;
}

function reduceShader(plan: FitPlan, segments: readonly Segment[]): string {
  let at = 0;
  const branches = segments.map((segment, k) => {
    const start = at;
    at += segment.size;
    return `if (p < ${u32(at)}) {
    out${k}[p - ${u32(start)}] = total(${u32(segment.member * plan.rows)}, ${u32(segment.from)} + p - ${u32(start)});
    return;
  }`;
  });
  return `@group(0) @binding(0) var<storage, read> partials: array<f32>;
${segments.map((_, k) => `@group(0) @binding(${k + 1}) var<storage, read_write> out${k}: array<f32>;`).join('\n')}
fn total(first: u32, at: u32) -> f32 {
  var sum = 0.0;
  for (var r = 0u; r < ${u32(plan.rows)}; r++) { sum += partials[(first + r) * ${u32(plan.offsets.size)} + at]; }
  return sum;
}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let p = id.x;
  ${branches.join(' ')}
}
`;
}

/** Why the fused fit gradient cannot run, or null. */
export function fusedFitProblem(
  params: EnsembleParameters,
  objective: FitObjectiveDescription | undefined,
): string | null {
  const backend = webgpuInternals();
  if (typeof backend === 'string') return backend;
  if (objective === undefined) return 'the objective adds terms of its own';
  if (params.logVarHead !== null) return 'Gaussian members take the tfjs path';
  if (params.shape.hiddenUnits > 512) return 'a layer wider than 512 units';
  return null;
}

const compiled = new Map<
  string,
  Promise<{ rows: FusedPipeline; reduce: { pipeline: FusedPipeline; segments: Segment[] }[] }>
>();

function programs(plan: FitPlan, params: EnsembleParameters) {
  const key = JSON.stringify({ ...plan, offsets: undefined });
  let entry = compiled.get(key);
  if (entry === undefined) {
    const E = plan.members;
    const L = plan.sizes.length - 1;
    const segments: Segment[] = [];
    for (let l = 0; l < L; l++)
      for (let m = 0; m < E; m++)
        segments.push({
          member: m,
          from: plan.offsets.weights[l],
          size: plan.sizes[l] * plan.sizes[l + 1],
          shape: params.weights[l][m].shape,
          index: l * E + m,
        });
    for (let l = 0; l < L; l++)
      for (let m = 0; m < E; m++)
        segments.push({
          member: m,
          from: plan.offsets.biases[l],
          size: plan.sizes[l + 1],
          shape: params.biases[l][m].shape,
          index: L * E + l * E + m,
        });
    const chunks: Segment[][] = [];
    for (let i = 0; i < segments.length; i += REDUCE_OUTPUTS)
      chunks.push(segments.slice(i, i + REDUCE_OUTPUTS));
    entry = Promise.all([
      fusedPipeline(rowsShader(plan), ['read', 'read', 'read', 'read', 'read_write']),
      ...chunks.map((chunk) =>
        fusedPipeline(reduceShader(plan, chunk), [
          'read',
          ...chunk.map(() => 'read_write' as const),
        ]),
      ),
    ]).then(([rows, ...reduce]) => ({
      rows,
      reduce: reduce.map((pipeline, k) => ({ pipeline, segments: chunks[k] })),
    }));
    compiled.set(key, entry);
    entry.catch(() => compiled.delete(key));
  }
  return entry;
}

/**
 * The gradients of Σ_m loss_m in `fitGradients`' order, from the minibatch of every member
 * stacked ([E·b, in], [E·b, D]) and its buffer slots; compiles its programs on first use.
 */
export async function fusedFitGradients(
  params: EnsembleParameters,
  inputs: tf.Tensor2D,
  targets: tf.Tensor2D,
  slots: Int32Array,
  objective: FitObjectiveDescription,
): Promise<tf.Tensor[]> {
  const { members: E, inputDim, outputDim, hiddenLayers, hiddenUnits, activation } = params.shape;
  const sizes = [inputDim, ...Array<number>(hiddenLayers).fill(hiddenUnits), outputDim];
  const b = inputs.shape[0] / E;
  const plan: FitPlan = { members: E, rows: b, sizes, activation, offsets: denseOffsets(sizes) };
  const { rows, reduce } = await programs(plan, params);
  const scales = new Float32Array(E * b);
  for (let m = 0; m < E; m++) {
    let total = 0;
    for (let i = 0; i < b; i++)
      total += objective.kind === 'likelihood' ? 1 : objective.weightsBySlot[slots[m * b + i]];
    for (let i = 0; i < b; i++) {
      const w = objective.kind === 'likelihood' ? 1 : objective.weightsBySlot[slots[m * b + i]];
      scales[m * b + i] = (2 * w) / (total * outputDim);
    }
  }
  const P = plan.offsets.size;
  const packed = gpuOutput([E * P]);
  const L = sizes.length - 1;
  packInto(packed, [
    ...params.weights.flatMap((layer, l) =>
      layer.map((tensor, m) => ({ tensor, at: m * P + plan.offsets.weights[l] })),
    ),
    ...params.biases.flatMap((layer, l) =>
      layer.map((tensor, m) => ({ tensor, at: m * P + plan.offsets.biases[l] })),
    ),
  ]);
  const rowScales = tf.tensor1d(scales);
  const partials = gpuOutput([E * b * P]);
  const gradients = new Array<tf.Tensor>(2 * L * E);
  try {
    dispatch(rows, [packed, inputs, targets, rowScales, partials], E * b);
    for (const { pipeline, segments } of reduce) {
      const outputs = segments.map((segment) => gpuOutput(segment.shape));
      segments.forEach((segment, k) => (gradients[segment.index] = outputs[k]));
      const size = segments.reduce((sum, s) => sum + s.size, 0);
      dispatch(pipeline, [partials, ...outputs], Math.ceil(size / WORKGROUP));
    }
    return gradients;
  } catch (error) {
    // A failed dispatch (a lost device) leaves no gradient behind.
    tf.dispose(gradients.filter((gradient) => gradient !== undefined));
    throw error;
  } finally {
    tf.dispose([packed, rowScales, partials]);
  }
}
