/**
 * The fused imagined gradient step as three WGSL programs, generated for one plan (fusedPlan.ts):
 *
 *   forward   one workgroup per row, the H steps a loop inside the shader:
 *               u = (o_t − μ)/σ,  h = tanh(u·W + b)…,  y = h·W + b        (the policy)
 *               f_t = σ(2y) (box: a = low + (high − low)·f)  or softmax(y)  (discrete)
 *               o_{t+1} = o_t + Δ̂_{m(t)}(o_t, f_t)                         (member m(t,r), folded)
 *               r_t = r(o_t, a_t, o_{t+1})·alive_t (known) or the member's reward column
 *             then V(o_H); the hidden activations go to the row's tape.
 *   backward  one workgroup per row: w_r (1/R, or CVaR's 1/(k·B) on the worst k members of the
 *             row's start), then backpropagation through time (imagination/backward.ts's
 *             recursion, on the tanh policy as it is, not folded):
 *               λ_H = c_H·∂V/∂o_H,   c_t = −w·γ^t·alive_t,   c_H = −w·γ^H·alive_{H−1}
 *               g = Δ̂ᵀ·(λ_{t+1}, c_t) + c_t·∂r/∂(o_t, f_t),    λ_t = λ_{t+1} + g[o] + πᵀ·g[f]
 *             each step's policy-weight gradient added into the row's partials.
 *   reduce    one thread per parameter: the sum over rows, written into each variable's tensor,
 *             and the loss −J = −Σ_r w_r·G_r.
 * Every workgroup keeps its layer's inputs in workgroup memory; thread j computes the units
 * j, j + 64, …: f32 throughout, each sum in the order of its index (the engine's matMuls sum in
 * XNNPACK's or tfjs's order, hence differences of a few ulps).
 */
import type { FusedPlan } from './fusedPlan';
import { f32, knownRewardWgsl, terminationWgsl } from './knownRewardWgsl';
import { activationWgsl, REDUCE_OUTPUTS, WGSL_MATH, WORKGROUP } from './wgslMath';

export interface ReduceSegment {
  /** Where the parameter's gradient starts in a row's partials; the loss is the row's last slot. */
  readonly from: number;
  readonly size: number;
  /** −1: a sum over rows of −w·G (the loss). */
  readonly scale: number;
}

function u32(value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new Error(`fused WGSL: ${value} is not a u32`);
  return `${value}u`;
}

interface DenseForward {
  readonly source: string;
  readonly target: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly buffer: 'params' | 'constants';
  /** WGSL u32 expressions of W's and b's offsets. */
  readonly weight: string;
  readonly bias: string;
  /** The stored value from `acc` (pre-activation): the unit's output. */
  readonly activation: (z: string) => string;
  /** Keeps z (`'z'`) or the output (`'y'`) in `array` (the tape, or a workgroup array) from `at`. */
  readonly keep?: { readonly array: string; readonly at: string; readonly value: 'z' | 'y' };
}

function denseForward(layer: DenseForward): string {
  const keep =
    layer.keep === undefined
      ? ''
      : `${layer.keep.array}[${layer.keep.at} + u] = ${layer.keep.value === 'z' ? 'acc' : 'y'};`;
  return `
    for (var u = j; u < ${u32(layer.outputs)}; u += ${u32(WORKGROUP)}) {
      var acc = ${layer.buffer}[${layer.bias} + u];
      for (var i = 0u; i < ${u32(layer.inputs)}; i++) {
        acc += ${layer.source}[i] * ${layer.buffer}[${layer.weight} + i * ${u32(layer.outputs)} + u];
      }
      let y = ${layer.activation('acc')};
      ${keep}
      ${layer.target}[u] = y;
    }
    workgroupBarrier();`;
}

/**
 * The tanh network's forward pass from `bufA` (its normalised input); returns where it ends.
 * Hidden layer l is kept on the tape at `tapeAt(l)`, or written to `scratch[l]` for the way back.
 */
function tanhForward(
  sizes: readonly number[],
  offsets: { weights: readonly number[]; biases: readonly number[] },
  tapeAt: (l: number) => string | null,
  scratch: readonly string[],
  buffer: 'params' | 'constants' = 'params',
): { code: string; output: string } {
  let code = '';
  let source = 'bufA';
  const L = sizes.length - 1;
  for (let l = 0; l < L; l++) {
    const target = scratch[l] ?? (source === 'bufA' ? 'bufB' : 'bufA');
    const hidden = l + 1 < L;
    const at = hidden ? tapeAt(l) : null;
    code += denseForward({
      source,
      target,
      inputs: sizes[l],
      outputs: sizes[l + 1],
      buffer,
      weight: u32(offsets.weights[l]),
      bias: u32(offsets.biases[l]),
      activation: (z) => (hidden ? `tanhSafe(${z})` : z),
      keep: at !== null ? { array: 'tape', at, value: 'y' } : undefined,
    });
    source = target;
  }
  return { code, output: source };
}

function bindings(
  names: readonly (readonly [string, 'read' | 'read_write', 'f32' | 'i32'])[],
): string {
  return names
    .map(
      ([name, access, type], i) =>
        `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${type}>;`,
    )
    .join('\n');
}

function boxAction(plan: FusedPlan): string {
  return plan.action.kind === 'box'
    ? `let a0 = ${f32(plan.action.low)} + ${f32(plan.action.high - plan.action.low)} * feat[0];`
    : '';
}

/** Bindings: params, constants, starts, memberOf, observations, rewards, alive, tape. */
export function forwardShader(plan: FusedPlan): string {
  const { observation: D, features: F, rows: R, horizon: H, starts: B } = plan;
  const policy = tanhForward(
    plan.policy,
    plan.policyOffsets,
    (l) => `tapeAt + ${u32(plan.tapePolicyHidden[l])}`,
    [],
  );
  const features =
    plan.action.kind === 'box'
      ? `for (var k = 0u; k < ${u32(F)}; k++) { feat[k] = sigmoid(2.0 * ${policy.output}[k]); }`
      : `var top = ${policy.output}[0];
        for (var k = 1u; k < ${u32(F)}; k++) { top = max(top, ${policy.output}[k]); }
        var total = 0.0;
        for (var k = 0u; k < ${u32(F)}; k++) { let e = exp(${policy.output}[k] - top); feat[k] = e; total += e; }
        for (var k = 0u; k < ${u32(F)}; k++) { feat[k] = feat[k] / total; }`;
  const member = memberForward(plan, 'mb', (l) => ({
    array: 'tape',
    at: `tapeAt + ${u32(plan.tapeMemberHidden[l])}`,
  }));
  const change = member.output;
  // The Error-MDP's error signal, computed once the step's next observation is known.
  let rewrite = '';
  let rewriteValue = '';
  if (plan.rewrite?.kind === 'errorHead') {
    const head = tanhForward(plan.rewrite.sizes, plan.rewriteOffsets, () => null, [], 'constants');
    rewrite = `${errorHeadInput(plan)}
    ${head.code}`;
    rewriteValue = `${f32(plan.rewrite.scale)} * softplus(${head.output}[0])`;
  } else if (plan.rewrite?.kind === 'disagreement') {
    rewrite = spreadPass(
      plan,
      null,
      `if (j < ${u32(D)}) { spread[m * ${u32(D)} + j] = OUTPUT[j] / constants[${u32(plan.deltaStd)} + j]; }
      workgroupBarrier();`,
    );
    rewriteValue = 'spreadError()';
  }
  const reward =
    plan.rewrite !== null
      ? `${terminationWgsl(plan.env.id, plan.env.params)}
          raw = ${rewriteValue};`
      : plan.reward === 'known'
        ? knownRewardWgsl(plan.env.id, plan.env.params).forward
        : `${terminationWgsl(plan.env.id, plan.env.params)}
          raw = ${change}[${u32(D)}];`;
  const critic = tanhForward(plan.critic, plan.criticOffsets, () => null, []);
  const spreadArrays =
    plan.rewrite?.kind === 'disagreement'
      ? `var<workgroup> spread: array<f32, ${plan.members * D}>;\n${spreadFunctions(plan).error}`
      : '';
  return `${WGSL_MATH}
${activationWgsl(plan.memberActivation)}
${bindings([
  ['params', 'read', 'f32'],
  ['constants', 'read', 'f32'],
  ['starts', 'read', 'f32'],
  ['memberOf', 'read', 'i32'],
  ['observations', 'read_write', 'f32'],
  ['rewards', 'read_write', 'f32'],
  ['alive', 'read_write', 'f32'],
  ['tape', 'read_write', 'f32'],
])}
var<workgroup> bufA: array<f32, ${plan.widest}>;
var<workgroup> bufB: array<f32, ${plan.widest}>;
var<workgroup> obs: array<f32, ${D}>;
var<workgroup> nextObs: array<f32, ${D}>;
var<workgroup> feat: array<f32, ${F}>;
var<workgroup> living: array<f32, 1>;
${spreadArrays}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.x;
  let j = lid.x;
  if (j < ${u32(D)}) {
    let o = starts[(r % ${u32(B)}) * ${u32(D)} + j];
    obs[j] = o;
    observations[r * ${u32(D)} + j] = o;
  }
  if (j == 0u) { living[0] = 1.0; }
  workgroupBarrier();
  for (var t = 0u; t < ${u32(H)}; t++) {
    let tapeAt = r * ${u32(plan.tapeRow)} + t * ${u32(plan.tapeStep)};
    if (j < ${u32(D)}) {
      bufA[j] = (obs[j] - constants[${u32(plan.policyMean)} + j]) / constants[${u32(plan.policyScale)} + j];
    }
    workgroupBarrier();
    ${policy.code}
    if (j == 0u) {
      ${features}
      for (var k = 0u; k < ${u32(F)}; k++) { tape[tapeAt + ${u32(plan.tapeFeatures)} + k] = feat[k]; }
    }
    workgroupBarrier();
    let mb = u32(memberOf[t * ${u32(R)} + r]) * ${u32(plan.memberStride)};
    if (j < ${u32(D)}) { bufA[j] = obs[j]; }
    if (j < ${u32(F)}) { bufA[${u32(D)} + j] = feat[j]; }
    workgroupBarrier();
    ${member.code}
    if (j < ${u32(D)}) { nextObs[j] = obs[j] + ${change}[j]; }
    workgroupBarrier();
    ${rewrite}
    if (j == 0u) {
      var raw: f32 = 0.0;
      var done: f32 = 0.0;
      ${boxAction(plan)}
      ${reward}
      rewards[t * ${u32(R)} + r] = raw * living[0];
      alive[t * ${u32(R)} + r] = living[0];
      living[0] = living[0] * (1.0 - done);
    }
    workgroupBarrier();
    if (j < ${u32(D)}) {
      obs[j] = nextObs[j];
      observations[((t + 1u) * ${u32(R)} + r) * ${u32(D)} + j] = nextObs[j];
    }
    workgroupBarrier();
  }
  if (j < ${u32(D)}) {
    bufA[j] = (obs[j] - constants[${u32(plan.criticMean)} + j]) / constants[${u32(plan.criticScale)} + j];
  }
  workgroupBarrier();
  ${critic.code}
  if (j == 0u) { tape[r * ${u32(plan.tapeRow)} + ${u32(plan.tapeValue)}] = ${critic.output}[0]; }
}
`;
}

/**
 * dst[i] = (Σ_u src[u]·W[i·out + u])·factor(i) for i < inputs: a layer's backward to its input.
 */
function denseBackward(
  source: string,
  target: string,
  inputs: number,
  outputs: number,
  buffer: 'params' | 'constants',
  weight: string,
  factor: (i: string, sum: string) => string,
): string {
  return `
    for (var i = j; i < ${u32(inputs)}; i += ${u32(WORKGROUP)}) {
      var sum = 0.0;
      for (var u = 0u; u < ${u32(outputs)}; u++) {
        sum += ${source}[u] * ${buffer}[${weight} + i * ${u32(outputs)} + u];
      }
      ${target}[i] = ${factor('i', 'sum')};
    }
    workgroupBarrier();`;
}

/**
 * Member `base`'s forward pass from `bufA` ([o, f]); hidden layer l's pre-activations kept in
 * `keep(l).array` from `keep(l).at`, if given. Returns where its output [Δo (, r)] ends.
 */
function memberForward(
  plan: FusedPlan,
  base: string,
  keep: ((l: number) => { array: string; at: string }) | null,
): { code: string; output: string } {
  const M = plan.member.length - 1;
  let code = '';
  let source = 'bufA';
  for (let l = 0; l < M; l++) {
    const target = source === 'bufA' ? 'bufB' : 'bufA';
    const hidden = l + 1 < M;
    code += denseForward({
      source,
      target,
      inputs: plan.member[l],
      outputs: plan.member[l + 1],
      buffer: 'constants',
      weight: `${base} + ${u32(plan.memberOffsets.weights[l])}`,
      bias: `${base} + ${u32(plan.memberOffsets.biases[l])}`,
      activation: (z) => (hidden ? `act(${z})` : z),
      keep: hidden && keep !== null ? { ...keep(l), value: 'z' } : undefined,
    });
    source = target;
  }
  return { code, output: source };
}

/**
 * Member `base`'s backward pass from ∂/∂output in `bufA` to ∂/∂[o, f] in `target`; `z(l, i)`
 * reads hidden layer l's pre-activation i.
 */
function memberBackwardCode(
  plan: FusedPlan,
  base: string,
  z: (l: number, i: string) => string,
  target: string,
): string {
  const M = plan.member.length - 1;
  let code = '';
  let source = 'bufA';
  for (let l = M - 1; l >= 0; l--) {
    const into = l === 0 ? target : source === 'bufA' ? 'bufB' : 'bufA';
    const factor =
      l === 0
        ? (_i: string, sum: string) => sum
        : (i: string, sum: string) => `${sum} * actPrime(${z(l - 1, i)})`;
    code += denseBackward(
      source,
      into,
      plan.member[l],
      plan.member[l + 1],
      'constants',
      `${base} + ${u32(plan.memberOffsets.weights[l])}`,
      factor,
    );
    source = into;
  }
  return code;
}

/**
 * A tanh network's backward pass from ∂/∂output in `headGradient` to ∂/∂input in `target`,
 * through its normalisation (÷ σ_in at `inputScale`); `hidden[l]` holds hidden layer l's output.
 */
function tanhBackward(
  sizes: readonly number[],
  offsets: { weights: readonly number[] },
  buffer: 'params' | 'constants',
  hidden: readonly string[],
  target: string,
  inputScale: string,
): string {
  let code = '';
  let source = 'headGradient';
  for (let l = sizes.length - 2; l >= 0; l--) {
    const into = l === 0 ? target : source === 'bufA' ? 'bufB' : 'bufA';
    const factor =
      l === 0
        ? (i: string, sum: string) => `${sum} / constants[${inputScale} + ${i}]`
        : (i: string, sum: string) =>
            `${sum} * (1.0 - ${hidden[l - 1]}[${i}] * ${hidden[l - 1]}[${i}])`;
    code += denseBackward(
      source,
      into,
      sizes[l],
      sizes[l + 1],
      buffer,
      u32(offsets.weights[l]),
      factor,
    );
    source = into;
  }
  return code;
}

/** The env-format action column k the error head reads: the box's value, or the relaxed one-hot. */
function encodedAction(plan: FusedPlan, k: string): string {
  return plan.action.kind === 'box'
    ? `(${f32(plan.action.low)} + ${f32(plan.action.high - plan.action.low)} * feat[${k}])`
    : `feat[${k}]`;
}

/** The error head's normalised input [o, encoded action] into bufA. */
function errorHeadInput(plan: FusedPlan): string {
  const D = plan.observation;
  return `if (j < ${u32(D)}) {
      bufA[j] = (obs[j] - constants[${u32(plan.rewriteMean)} + j]) / constants[${u32(plan.rewriteScale)} + j];
    }
    if (j < ${u32(plan.features)}) {
      bufA[${u32(D)} + j] = (${encodedAction(plan, 'j')} - constants[${u32(plan.rewriteMean + D)} + j]) /
        constants[${u32(plan.rewriteScale + D)} + j];
    }
    workgroupBarrier();`;
}

/** Every member's Δo at (o_t, f_t), normalised by σ_Δ, into `spread` [E·d]. */
function spreadPass(
  plan: FusedPlan,
  keep: ((l: number) => { array: string; at: string }) | null,
  after: string,
): string {
  const D = plan.observation;
  const member = memberForward(plan, 'spreadBase', keep);
  return `for (var m = 0u; m < ${u32(plan.members)}; m++) {
      let spreadBase = m * ${u32(plan.memberStride)};
      if (j < ${u32(D)}) { bufA[j] = obs[j]; }
      if (j < ${u32(plan.features)}) { bufA[${u32(D)} + j] = feat[j]; }
      workgroupBarrier();
      ${member.code}
      ${after.replaceAll('OUTPUT', member.output)}
    }`;
}

/** The disagreement's spread e = (1/d)·Σ_k √(v_k + ε) over `spread`, and ∂e/∂Δ̂ scaled by c. */
function spreadFunctions(plan: FusedPlan): { error: string; gradient: string } {
  const D = u32(plan.observation);
  const E = u32(plan.members);
  const moments = `var mean = 0.0;
    for (var m = 0u; m < ${E}; m++) { mean += spread[m * ${D} + k]; }
    mean = mean / ${f32(plan.members)};
    var v = 0.0;
    for (var m = 0u; m < ${E}; m++) { let centred = spread[m * ${D} + k] - mean; v += centred * centred; }
    let root = sqrt(v / ${f32(plan.members)} + 1e-8);`;
  const error = `fn spreadError() -> f32 {
  var e = 0.0;
  for (var k = 0u; k < ${D}; k++) {
    ${moments}
    e += root;
  }
  return e / ${f32(plan.observation)};
}`;
  const gradient = `fn spreadGradient(c: f32) {
  for (var k = 0u; k < ${D}; k++) {
    ${moments}
    for (var m = 0u; m < ${E}; m++) {
      spreadGrad[m * ${D} + k] = c * (spread[m * ${D} + k] - mean) /
        (${f32(plan.observation * plan.members)} * root * constants[${u32(plan.deltaStd)} + k]);
    }
  }
}`;
  return { error, gradient };
}

/** Bindings: params, constants, observations, rewards, alive, tape, memberOf, partials. */
export function backwardShader(plan: FusedPlan): string {
  const { observation: D, features: F, rows: R, horizon: H, starts: B, members: E } = plan;
  const P = plan.policyOffsets.size;
  const M = plan.member.length - 1;
  const L = plan.policy.length - 1;
  const gamma = f32(plan.discount);
  const returnOf = `fn returnOf(row: u32) -> f32 {
  var g = 0.0;
  var power = 1.0;
  for (var t = 0u; t < ${u32(H)}; t++) {
    g += power * rewards[t * ${u32(R)} + row];
    power *= ${gamma};
  }
  return g + power * alive[${u32((H - 1) * R)} + row] * tape[row * ${u32(plan.tapeRow)} + ${u32(plan.tapeValue)}];
}`;
  const weight =
    plan.worstMembers === null
      ? `let w = ${f32(1 / R)};`
      : `let start = r % ${u32(B)};
      let me = r / ${u32(B)};
      var rank = 0u;
      for (var m = 0u; m < ${u32(E)}; m++) {
        let g = returnOf(m * ${u32(B)} + start);
        if (g < own || (g == own && m < me)) { rank += 1u; }
      }
      let w = select(0.0, ${f32(1 / (plan.worstMembers * B))}, rank < ${u32(plan.worstMembers)});`;
  // The critic's hidden activations at o_H, each layer in its own array for the way back.
  const criticArrays = plan.critic.slice(1, -1).map((_, l) => `criticHidden${l}`);
  const criticForward = tanhForward(plan.critic, plan.criticOffsets, () => null, criticArrays);
  // ∂/∂ of the head's output is c_H; back through the hidden layers to o_H.
  const criticBackward = tanhBackward(
    plan.critic,
    plan.criticOffsets,
    'params',
    criticArrays,
    'lam',
    u32(plan.criticScale),
  );
  const memberBackward = memberBackwardCode(
    plan,
    'mb',
    (l, i) => `tape[tapeAt + ${u32(plan.tapeMemberHidden[l])} + ${i}]`,
    'gx',
  );
  let policyBackward = '';
  {
    let source = 'dy';
    for (let l = L - 1; l >= 0; l--) {
      const activation =
        l === 0
          ? (i: string) =>
              `((obs[${i}] - constants[${u32(plan.policyMean)} + ${i}]) / constants[${u32(plan.policyScale)} + ${i}])`
          : (i: string) => `tape[tapeAt + ${u32(plan.tapePolicyHidden[l - 1])} + ${i}]`;
      const outputs = plan.policy[l + 1];
      const w = plan.policyOffsets.weights[l];
      const b = plan.policyOffsets.biases[l];
      policyBackward += `
    for (var u = j; u < ${u32(outputs)}; u += ${u32(WORKGROUP)}) {
      let g = ${source}[u];
      partials[row + ${u32(b)} + u] += g;
      for (var i = 0u; i < ${u32(plan.policy[l])}; i++) {
        partials[row + ${u32(w)} + i * ${u32(outputs)} + u] += ${activation('i')} * g;
      }
    }`;
      const target = l === 0 ? 'gpol' : source === 'bufA' ? 'bufB' : 'bufA';
      const factor =
        l === 0
          ? (i: string, sum: string) => `${sum} / constants[${u32(plan.policyScale)} + ${i}]`
          : (i: string, sum: string) => {
              const h = activation(i);
              return `${sum} * (1.0 - ${h} * ${h})`;
            };
      policyBackward += denseBackward(
        source,
        target,
        plan.policy[l],
        outputs,
        'params',
        u32(w),
        factor,
      );
      source = target;
    }
  }
  const rewardGradient =
    plan.reward === 'known' && plan.rewrite === null
      ? knownRewardWgsl(plan.env.id, plan.env.params).backward
      : '';
  // ∂(c·e)/∂[o, f] of the Error-MDP's error signal, added to gx.
  let rewriteBackward = '';
  let rewriteArrays = '';
  if (plan.rewrite?.kind === 'errorHead') {
    const sizes = plan.rewrite.sizes;
    const hidden = sizes.slice(1, -1).map((_, l) => `errorHidden${l}`);
    const head = tanhForward(sizes, plan.rewriteOffsets, () => null, hidden, 'constants');
    rewriteArrays = `${hidden.map((name, l) => `var<workgroup> ${name}: array<f32, ${sizes[l + 1]}>;`).join('\n')}
var<workgroup> rewriteInput: array<f32, ${D + F}>;`;
    rewriteBackward = `${errorHeadInput(plan)}
    ${head.code}
    if (j == 0u) { headGradient[0] = c * ${f32(plan.rewrite.scale)} * sigmoid(${head.output}[0]); }
    workgroupBarrier();
    ${tanhBackward(sizes, plan.rewriteOffsets, 'constants', hidden, 'rewriteInput', u32(plan.rewriteScale))}
    if (j < ${u32(D + F)}) {
      gx[j] += rewriteInput[j] * select(1.0, ${plan.action.kind === 'box' ? f32(plan.action.high - plan.action.low) : '1.0'}, j >= ${u32(D)});
    }
    workgroupBarrier();`;
  } else if (plan.rewrite?.kind === 'disagreement') {
    const zs = plan.member.slice(1, -1).map((_, l) => `memberZ${l}`);
    rewriteArrays = `${zs.map((name, l) => `var<workgroup> ${name}: array<f32, ${plan.member[l + 1]}>;`).join('\n')}
var<workgroup> rewriteInput: array<f32, ${D + F}>;
var<workgroup> spread: array<f32, ${plan.members * D}>;
var<workgroup> spreadGrad: array<f32, ${plan.members * D}>;
${spreadFunctions(plan).gradient}`;
    rewriteBackward = `${spreadPass(
      plan,
      null,
      `if (j < ${u32(D)}) { spread[m * ${u32(D)} + j] = OUTPUT[j] / constants[${u32(plan.deltaStd)} + j]; }
      workgroupBarrier();`,
    )}
    if (j == 0u) { spreadGradient(c); }
    workgroupBarrier();
    ${spreadPass(
      plan,
      (l) => ({ array: zs[l], at: '0u' }),
      `if (j < ${u32(D)}) { bufA[j] = spreadGrad[m * ${u32(D)} + j]; }
      workgroupBarrier();
      ${memberBackwardCode(plan, 'spreadBase', (l, i) => `${zs[l]}[${i}]`, 'rewriteInput')}
      if (j < ${u32(D + F)}) { gx[j] += rewriteInput[j]; }
      workgroupBarrier();`,
    )}`;
  }
  const featureGradient =
    plan.action.kind === 'box'
      ? `for (var k = 0u; k < ${u32(F)}; k++) {
          dy[k] = gx[${u32(D)} + k] * 2.0 * feat[k] * (1.0 - feat[k]);
        }`
      : `var mean = 0.0;
        for (var k = 0u; k < ${u32(F)}; k++) { mean += gx[${u32(D)} + k] * feat[k]; }
        for (var k = 0u; k < ${u32(F)}; k++) { dy[k] = feat[k] * (gx[${u32(D)} + k] - mean); }`;
  const actionScale = plan.action.kind === 'box' ? f32(plan.action.high - plan.action.low) : '1.0';
  return `${WGSL_MATH}
${activationWgsl(plan.memberActivation)}
${bindings([
  ['params', 'read', 'f32'],
  ['constants', 'read', 'f32'],
  ['observations', 'read', 'f32'],
  ['rewards', 'read', 'f32'],
  ['alive', 'read', 'f32'],
  ['tape', 'read', 'f32'],
  ['memberOf', 'read', 'i32'],
  ['partials', 'read_write', 'f32'],
])}
var<workgroup> bufA: array<f32, ${plan.widest}>;
var<workgroup> bufB: array<f32, ${plan.widest}>;
${criticArrays.map((name, l) => `var<workgroup> ${name}: array<f32, ${plan.critic[l + 1]}>;`).join('\n')}
var<workgroup> headGradient: array<f32, 1>;
var<workgroup> obs: array<f32, ${D}>;
var<workgroup> feat: array<f32, ${F}>;
var<workgroup> lam: array<f32, ${D}>;
var<workgroup> gx: array<f32, ${D + F}>;
var<workgroup> gpol: array<f32, ${D}>;
var<workgroup> dy: array<f32, ${F}>;
var<workgroup> scalars: array<f32, 2>;
${rewriteArrays}

${returnOf}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wid.x;
  let j = lid.x;
  let row = r * ${u32(plan.partialsRow)};
  for (var p = j; p < ${u32(plan.partialsRow)}; p += ${u32(WORKGROUP)}) { partials[row + p] = 0.0; }
  if (j == 0u) {
    let own = returnOf(r);
    ${weight}
    scalars[0] = w;
    // ∂(−J)/∂V(o_H)
    headGradient[0] = -w * ${f32(plan.discount ** H)} * alive[${u32((H - 1) * R)} + r];
  }
  workgroupBarrier();
  if (j == 0u) { partials[row + ${u32(P)}] = scalars[0] * returnOf(r); }
  let w = scalars[0];
  if (j < ${u32(D)}) {
    obs[j] = observations[(${u32(H * R)} + r) * ${u32(D)} + j];
    bufA[j] = (obs[j] - constants[${u32(plan.criticMean)} + j]) / constants[${u32(plan.criticScale)} + j];
  }
  workgroupBarrier();
  ${criticForward.code}
  ${criticBackward}
  for (var s = 0u; s < ${u32(H)}; s++) {
    let t = ${u32(H - 1)} - s;
    let tapeAt = r * ${u32(plan.tapeRow)} + t * ${u32(plan.tapeStep)};
    if (j < ${u32(D)}) { obs[j] = observations[(t * ${u32(R)} + r) * ${u32(D)} + j]; }
    if (j < ${u32(F)}) { feat[j] = tape[tapeAt + ${u32(plan.tapeFeatures)} + j]; }
    if (j == 0u) { scalars[1] = -w * pow(${gamma}, f32(t)) * alive[t * ${u32(R)} + r]; }
    workgroupBarrier();
    let c = scalars[1];
    let mb = u32(memberOf[t * ${u32(R)} + r]) * ${u32(plan.memberStride)};
    if (j < ${u32(plan.member[M])}) { bufA[j] = select(c, lam[min(j, ${u32(D - 1)})], j < ${u32(D)}); }
    workgroupBarrier();
    ${memberBackward}
    ${rewriteBackward}
    if (j == 0u) {
      var ga: f32 = 0.0;
      ${boxAction(plan)}
      ${rewardGradient}
      ${plan.action.kind === 'box' ? `gx[${u32(D)}] += ga * ${actionScale};` : ''}
      ${featureGradient}
    }
    workgroupBarrier();
    ${policyBackward}
    if (j < ${u32(D)}) { lam[j] = lam[j] + gx[j] + gpol[j]; }
    workgroupBarrier();
  }
}
`;
}

/** Bindings: partials, then one output per segment. */
export function reduceShader(plan: FusedPlan, segments: readonly ReduceSegment[]): string {
  if (segments.length > REDUCE_OUTPUTS)
    throw new Error('fused WGSL: too many outputs for one reduce');
  const R = plan.rows;
  let at = 0;
  const branches = segments.map((segment, k) => {
    const from = at;
    at += segment.size;
    return `if (p < ${u32(at)}) {
    out${k}[p - ${u32(from)}] = ${f32(segment.scale)} * total(${u32(segment.from)} + p - ${u32(from)});
    return;
  }`;
  });
  return `${bindings([
    ['partials', 'read', 'f32'],
    ...segments.map((_, k) => [`out${k}`, 'read_write', 'f32'] as const),
  ])}
fn total(at: u32) -> f32 {
  var sum = 0.0;
  for (var r = 0u; r < ${u32(R)}; r++) { sum += partials[r * ${u32(plan.partialsRow)} + at]; }
  return sum;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let p = id.x;
  ${branches.join(' ')}
}
`;
}
