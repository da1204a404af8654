/**
 * A dev-only page (served by a vite dev server, not part of the app) that runs the imagination
 * engine's gradient checks (test/imagination/gradientCases.ts, fitStep against the tape) on a
 * chosen tfjs backend, for the browser suite's WebGPU and WebGL runs.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../../src/backend';
import { ensembleForward } from '../../../src/models/ensembleForward';
import { fitGradients } from '../../../src/models/fitStep';
import { layoutFor } from '../../../src/models/layout';
import { likelihoodObjective, type ObjectiveContext } from '../../../src/models/objective';
import { createRng, type Rng } from '../../../src/rng';
import type { EnsembleParameters } from '../../../src/models/ensembleParameters';
import { relativeDifference } from '../../imagination/tapeOracle';
import { compareCase, rewrites, type Case, type Comparison } from '../../imagination/gradientCases';
import { ImaginedPolicyGradient } from '../../../src/policies/gradientImprover';
import { sampleStartObservations, type ImaginationSettings } from '../../../src/policies/improver';
import { FusedPolicyGradient } from '../../../src/imagination/webgpu/fusedPolicyGradient';
import { counted } from './dispatchCounter';
import { adamUpdate } from '../../../src/imagination/kernels';
import { fusedFitGradients } from '../../../src/imagination/webgpu/fusedFitGradient';
import { weightedLikelihood } from '../../../src/objectives/occupancyWeights';
import type { Activation } from '../../../src/models/activation';
import { buildWorld } from '../../objectives/worldHelpers';

export interface FitComparison {
  readonly differences: number[];
  readonly largest: number;
}

async function useBackend(backend: BackendName): Promise<void> {
  const choice = await initBackend({ preference: backend, wasmPaths: '/tfjs-wasm/' });
  if (choice.backend !== backend) throw new Error(`${backend} did not start: ${choice.reason}`);
}

async function policy(backend: BackendName, testCase: Case): Promise<Comparison> {
  await useBackend(backend);
  return compareCase(testCase);
}

/** 32 rows of normal inputs and targets for each member, member-major. */
function randomMinibatch(params: EnsembleParameters, rng: Rng) {
  const E = params.shape.members;
  const b = 32;
  const [inputDim, outputDim] = [params.shape.inputDim, params.shape.outputDim];
  const inputs = Float32Array.from({ length: E * b * inputDim }, () => rng.normal());
  const targets = Float32Array.from({ length: E * b * outputDim }, () => rng.normal());
  return { E, b, inputDim, outputDim, inputs, targets };
}

/** One fit step's hand-written gradient against the tape of the likelihood (Gaussian, relu). */
async function fit(backend: BackendName): Promise<FitComparison> {
  await useBackend(backend);
  const test = await buildWorld('Pendulum-v1', { members: 3, fitSteps: 20, activation: 'relu', likelihood: 'gaussian' });
  try {
    const { model } = test.world;
    const params = model.ensemble;
    const { E, b, inputDim, outputDim, inputs, targets } = randomMinibatch(params, createRng(9));
    const slots = new Int32Array(E * b);
    const context: ObjectiveContext = { forward: (x) => ensembleForward(params, x, layoutFor(tf.getBackend())), parameters: params, likelihood: 'gaussian', stats: model.stats, step: 0 };
    const perMember = {
      inputs: Array.from({ length: E }, (_, m) => tf.tensor2d(inputs.subarray(m * b * inputDim, (m + 1) * b * inputDim), [b, inputDim])),
      targets: Array.from({ length: E }, (_, m) => tf.tensor2d(targets.subarray(m * b * outputDim, (m + 1) * b * outputDim), [b, outputDim])),
      slots,
    };
    const stacked = { inputs: tf.tensor3d(inputs, [E, b, inputDim]), targets: tf.tensor3d(targets, [E, b, outputDim]), slots };
    const hand = fitGradients(params, perMember, likelihoodObjective, context);
    const variables = params.variables();
    const tape = tf.variableGrads(() => tf.sum(likelihoodObjective.loss(stacked, context)) as tf.Scalar, variables);
    const differences: number[] = [];
    let largest = 0;
    for (let i = 0; i < variables.length; i++) {
      const expected = tape.grads[variables[i].name];
      const shaped = tf.reshape(hand[i], expected.shape);
      differences.push(await relativeDifference(shaped, expected));
      const max = tf.max(tf.abs(expected));
      largest = Math.max(largest, (await max.data())[0]);
      tf.dispose([shaped, max]);
    }
    tf.dispose([...hand, tape.value, ...Object.values(tape.grads), ...perMember.inputs, ...perMember.targets, stacked.inputs, stacked.targets]);
    return { differences, largest };
  } finally {
    test.dispose();
  }
}

export interface FusedComparison {
  readonly engineLoss: number;
  readonly fusedLoss: number;
  /** Per policy variable, then the observations, rewards and alive mask: max |fused − engine| / max |engine|. */
  readonly differences: Record<string, number>;
  readonly largest: number;
  /** Compute dispatches of one fused step (after a first step that compiles). */
  readonly dispatches: number;
  readonly leaked: number;
}

async function hostValues(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  return Promise.all(tensors.map(async (t) => Float32Array.from(await t.data())));
}

function maxRelative(actual: Float32Array, expected: Float32Array): number {
  let difference = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    difference = Math.max(difference, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return actual.length !== expected.length ? Infinity : difference / Math.max(scale, 1e-12);
}

/**
 * One imagined gradient step on the WASM engine and on the fused WebGPU programs, for the same
 * world, starts and member draws: the world is built on WASM and its tensors move to WebGPU.
 */
async function fused(testCase: Case): Promise<FusedComparison> {
  await useBackend('wasm');
  const { env, reward, risk, activation, depth, width, rewrite = 'none', fitSteps = 150, horizon = 12 } = testCase;
  const test = await buildWorld(env, { members: 3, fitSteps, horizon, rollouts: 24, activation, depth, width });
  const reshaped = await rewrites(rewrite, test);
  try {
    const { model, policy, critic, buffer } = test.world;
    const base: ImaginationSettings = { ...test.world.imagination, reward, risk: { kind: risk, alpha: 0.4 } };
    const settings: ImaginationSettings = reshaped.engine === undefined ? base : { ...base, imaginedReward: reshaped.engine };
    const starts = sampleStartObservations(buffer, settings.rollouts, createRng(5));
    const engine = await ImaginedPolicyGradient.create({ model, policy, settings });
    const pass = engine.step(critic, starts, createRng(6));
    const names = policy.variables.map((_, i) => `variable ${i}`);
    const expected = await hostValues([...pass.gradients, pass.trajectories.observations, pass.trajectories.rewards, pass.trajectories.alive]);
    const engineLoss = (await pass.loss.data())[0];
    pass.dispose();
    engine.dispose();
    await useBackend('webgpu');
    const path = await FusedPolicyGradient.create({ model, policy, settings }, critic);
    // A first step compiles and moves the world's tensors; the second is the one counted.
    const warm = path.step(critic, starts, createRng(6));
    await warm.loss.data();
    warm.dispose();
    const before = tf.memory().numTensors;
    const { result: step, dispatches } = await counted(() => path.step(critic, starts, createRng(6)));
    const actual = await hostValues([...step.gradients, step.trajectories.observations, step.trajectories.rewards, step.trajectories.alive]);
    const fusedLoss = (await step.loss.data())[0];
    step.dispose();
    const leaked = tf.memory().numTensors - before;
    path.dispose();
    starts.dispose();
    const differences: Record<string, number> = {};
    [...names, 'observations', 'rewards', 'alive'].forEach((name, i) => {
      differences[name] = maxRelative(actual[i], expected[i]);
    });
    const largest = Math.max(...expected.slice(0, names.length).map((g) => Math.max(...Array.from(g, Math.abs))));
    return { engineLoss, fusedLoss, differences, largest, dispatches, leaked };
  } finally {
    reshaped.dispose();
    test.dispose();
  }
}

/**
 * One AdamW update on WebGPU (one program, fusedAdam.ts) against the same formula in float64 on
 * the host: max |difference| / max |value| over θ′, m′ and v′, and the dispatches it took.
 */
async function adam(): Promise<{ differences: number[]; dispatches: number }> {
  await useBackend('webgpu');
  const rng = createRng(4);
  const n = 1000;
  const draw = (scale: number) => Float32Array.from({ length: n }, () => scale * rng.normal());
  const host = { theta: draw(1), gradient: draw(0.1), m: draw(0.01), v: Float32Array.from(draw(0.01), Math.abs) };
  const settings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, stepSize: 1e-3, decay: 1e-5 };
  const [theta, gradient, m, v] = [host.theta, host.gradient, host.m, host.v].map((values) => tf.tensor2d(values, [40, 25]));
  const { result, dispatches } = await counted(() => adamUpdate(theta, gradient, m, v, settings));
  const actual = await hostValues([result.theta, result.m, result.v]);
  tf.dispose([theta, gradient, m, v, result.theta, result.m, result.v]);
  const expected = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
  for (let i = 0; i < n; i++) {
    const g = host.gradient[i];
    const m1 = settings.beta1 * host.m[i] + (1 - settings.beta1) * g;
    const v1 = settings.beta2 * host.v[i] + (1 - settings.beta2) * g * g;
    expected[0][i] = host.theta[i] - (settings.stepSize * m1) / (Math.sqrt(v1) + settings.epsilon) - settings.decay * host.theta[i];
    expected[1][i] = m1;
    expected[2][i] = v1;
  }
  return { differences: actual.map((values, k) => maxRelative(values, expected[k])), dispatches };
}

/**
 * One fit step's gradient of an MSE ensemble by the fused WebGPU programs against the engine's
 * (fitStep.ts) on WASM, for the same members and minibatch: per variable, max |difference| over
 * the engine's largest entry; `weighted`: the occupancy-weighted likelihood's row weights.
 */
async function fusedFit(activation: Activation, weighted: boolean): Promise<{ differences: number[]; largest: number; dispatches: number; leaked: number }> {
  await useBackend('wasm');
  const test = await buildWorld('Pendulum-v1', { members: 3, fitSteps: 20, activation, likelihood: 'mse' });
  try {
    const params = test.world.model.ensemble;
    const rng = createRng(9);
    const { E, b, inputDim, outputDim, inputs, targets } = randomMinibatch(params, rng);
    const slots = Int32Array.from({ length: E * b }, (_, i) => i);
    const weightsBySlot = Float32Array.from({ length: E * b }, () => 0.5 + rng.uniform(0, 1));
    const objective = weighted ? weightedLikelihood(weightsBySlot) : likelihoodObjective;
    const context: ObjectiveContext = { forward: (x) => ensembleForward(params, x, layoutFor(tf.getBackend())), parameters: params, likelihood: 'mse', stats: test.world.model.stats, step: 0 };
    const perMember = {
      inputs: Array.from({ length: E }, (_, m) => tf.tensor2d(inputs.subarray(m * b * inputDim, (m + 1) * b * inputDim), [b, inputDim])),
      targets: Array.from({ length: E }, (_, m) => tf.tensor2d(targets.subarray(m * b * outputDim, (m + 1) * b * outputDim), [b, outputDim])),
      slots,
    };
    const engine = fitGradients(params, perMember, objective, context);
    const expected = await hostValues(engine);
    tf.dispose([...engine, ...perMember.inputs, ...perMember.targets]);
    await useBackend('webgpu');
    const stacked = [tf.tensor2d(inputs, [E * b, inputDim]), tf.tensor2d(targets, [E * b, outputDim])] as const;
    const description = objective.description;
    if (description === undefined) throw new Error('the objective does not describe itself');
    tf.dispose(await fusedFitGradients(params, stacked[0], stacked[1], slots, description));
    const before = tf.memory().numTensors;
    const { result: fused, dispatches } = await counted(() => fusedFitGradients(params, stacked[0], stacked[1], slots, description));
    const actual = await hostValues(fused);
    tf.dispose(fused);
    const leaked = tf.memory().numTensors - before;
    tf.dispose([...stacked]);
    const largest = Math.max(...expected.map((g) => Math.max(...Array.from(g, Math.abs))));
    return { differences: actual.map((values, i) => maxRelative(values, expected[i])), largest, dispatches, leaked };
  } finally {
    test.dispose();
  }
}

declare global {
  interface Window {
    imaginationPage: { ready: boolean; policy: typeof policy; fit: typeof fit; fused: typeof fused; adam: typeof adam; fusedFit: typeof fusedFit };
  }
}

window.imaginationPage = { ready: true, policy, fit, fused, adam, fusedFit };
