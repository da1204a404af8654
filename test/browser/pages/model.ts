/**
 * A dev-only page (served by a vite dev server, not part of the app) that runs the world model
 * on a chosen tfjs backend and hands the numbers to the test or benchmark driving it through
 * `window.modelPage`. The same seeded workload on two backends should give the same numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice, type BackendName } from '../../../src/backend';
import { getEnv } from '../../../src/envs';
import {
  BENCHMARK_DEFAULTS,
  benchmarkBuffer,
  benchmarkRollout,
  benchmarkTraining,
  type ModelBenchmarkSettings,
  type RolloutBenchmark,
  type TrainingBenchmark,
} from '../../../src/models/benchmark';
import { measureLayouts, type CalibrationSizes } from '../../../src/models/calibration';
import { constantPolicy } from '../../../src/models/policy';
import { WorldModel } from '../../../src/models/worldModel';
import { createRng } from '../../../src/rng';
import { defaultConfig } from '../../../src/config/parse';
import { Critic } from '../../../src/policies/critic';
import { CRITIC } from '../../../src/policies/criticShape';
import { createImaginedGradient, GradientImprover } from '../../../src/policies/gradientImprover';
import { sampleStartObservations, type ImaginationSettings } from '../../../src/policies/improver';
import type { ImaginedGradient } from '../../../src/policies/policyGradient';
import { PolicyNetwork } from '../../../src/policies/policyNetwork';
import { counted } from './dispatchCounter';

export interface ModelPageRun {
  readonly choice: BackendChoice;
  readonly layout: string;
  readonly trainLoss: number[];
  readonly holdoutLoss: number[];
  readonly observations: number[];
  readonly rewards: number[];
  readonly disagreement: number[];
  readonly predicted: number[];
}

export interface ModelPageBench {
  readonly choice: BackendChoice;
  readonly rollout: RolloutBenchmark;
  readonly training: TrainingBenchmark;
}

async function useBackend(backend: BackendName): Promise<BackendChoice> {
  const choice = await initBackend({ preference: backend, wasmPaths: '/tfjs-wasm/' });
  if (choice.backend !== backend) throw new Error(`${backend} did not start: ${choice.reason}`);
  return choice;
}

/** Fit a few steps and roll out, all from fixed seeds: the numbers to compare across backends. */
async function run(backend: BackendName): Promise<ModelPageRun> {
  const choice = await useBackend(backend);
  const spec = getEnv('Pendulum-v1').spec;
  const buffer = benchmarkBuffer('Pendulum-v1', 1024, 5);
  const model = new WorldModel(spec, { members: 3, hiddenUnits: 64, activation: 'tanh', likelihood: 'gaussian' }, createRng(9));
  try {
    const fit = await model.fit(buffer, 5, { batchSize: 64 });
    const starts = buffer.gather(buffer.slots('all').subarray(0, 16));
    const start = tf.tensor2d(starts.observations, [16, 3]);
    const result = model.rollout(start, constantPolicy(0.5), 8, { member: 'all' });
    const actions = tf.fill([16, 1], -1) as tf.Tensor2D;
    const prediction = model.predict(start, actions);
    const numbers = {
      observations: Array.from(await result.observations.data()),
      rewards: Array.from(await result.rewards.data()),
      disagreement: Array.from(await result.disagreement.data()),
      predicted: Array.from(await prediction.nextObservations.data()),
    };
    result.dispose();
    tf.dispose([start, actions, prediction.nextObservations, prediction.rewards, prediction.nextObservationStd ?? []]);
    return { choice, layout: `${model.layout.members}/${model.layout.transposes}`, trainLoss: fit.trainLoss, holdoutLoss: fit.holdoutLoss, ...numbers };
  } finally {
    model.dispose();
  }
}

/** The rollout and training benchmark of `npm run bench -- model`, on this backend. */
async function bench(
  backend: BackendName,
  settings: Partial<ModelBenchmarkSettings> = {},
  trainingSteps = 10,
): Promise<ModelPageBench> {
  const choice = await useBackend(backend);
  const full = { ...BENCHMARK_DEFAULTS, ...settings };
  const buffer = benchmarkBuffer(full.envId, 4096);
  const rollout = await benchmarkRollout('relu', buffer, full);
  const training = await benchmarkTraining('relu', buffer, full, 256, trainingSteps);
  return { choice, rollout, training };
}

/** calibration.ts's layout measurement (one fit step + a rollout of horizon 2 per layout). */
async function layouts(backend: BackendName, sizes: CalibrationSizes) {
  await useBackend(backend);
  const { fastest, timings } = await measureLayouts(getEnv('Pendulum-v1').spec, { activation: 'relu' }, sizes);
  return { fastest, timings };
}

export interface GradientStepCount {
  readonly backend: BackendName;
  readonly path: ImaginedGradient['path'];
  readonly rollouts: number;
  readonly horizon: number;
  /** Compute dispatches (WebGPU) and tfjs kernels of one imagined gradient step, after a warm-up. */
  readonly dispatches: number;
  readonly kernels: number;
  /** The same per fit step of the model (tfjs kernels on every backend), over 10 steps. */
  readonly fitDispatches: number;
  readonly fitKernels: number;
  /** Wall ms per gradient step, read back each time (SwiftShader's are correctness runs only). */
  readonly msPerStep: number;
  /** Dispatches and kernels of a whole improve step: the gradient, the policy's Adam, the critic's TD(λ) step. */
  readonly improveDispatches: number;
  readonly improveKernels: number;
  /** WebGPU's adapter as the page sees it (a fallback adapter is a software one). */
  readonly adapter: string | null;
}

/**
 * One imagined gradient step at the default config's sizes (Pendulum-v1, 3 members of 2×64, a
 * 2×64 policy and critic, 64 rollouts × 32 steps), through the fused programs or the engine.
 */
async function gradientStep(backend: BackendName, onlyEngine: boolean, steps = 3): Promise<GradientStepCount> {
  await useBackend(backend);
  const config = defaultConfig;
  const spec = getEnv(config.env.id).spec;
  const d = spec.observationNames.length;
  const rng = createRng(3);
  const m = config.model;
  const model = new WorldModel(spec, { members: m.ensembleSize, hiddenLayers: m.depth, hiddenUnits: m.width, activation: m.activation, likelihood: m.likelihood }, rng.fork('model'));
  const moments = { inputMean: new Float32Array(d), inputScale: new Float32Array(d).fill(1) };
  const policy = new PolicyNetwork({ observationDim: d, actionSpace: spec.actionSpace, width: config.optimiser.policyWidth, depth: config.optimiser.policyDepth, ...moments }, rng.fork('policy'));
  const critic = new Critic({ observationDim: d, width: CRITIC.width, depth: CRITIC.depth, ...moments }, CRITIC.learningRate, rng.fork('critic'));
  const buffer = benchmarkBuffer(config.env.id, 2048);
  const settings: ImaginationSettings = {
    rollouts: config.imagination.rollouts,
    horizon: config.imagination.horizon,
    discount: config.optimiser.discount,
    lambda: config.optimiser.lambda,
    reward: config.reward.kind,
    rewardNoiseStd: 0,
    risk: config.risk,
  };
  const starts = sampleStartObservations(buffer, settings.rollouts, rng);
  try {
    await model.fit(buffer, 2, { batchSize: m.batchSize });
    const fitSteps = 10;
    const fitCount = await counted(() => model.fit(buffer, fitSteps, { batchSize: m.batchSize }));
    const gradient = await createImaginedGradient({ model, policy, critic, settings }, onlyEngine);
    try {
      const warm = gradient.step(critic, starts, rng);
      await warm.loss.data();
      warm.dispose();
      const count = await counted(() => gradient.step(critic, starts, rng));
      await count.result.loss.data();
      count.result.dispose();
      const begin = performance.now();
      for (let i = 0; i < steps; i++) {
        const pass = gradient.step(critic, starts, rng);
        await pass.loss.data();
        pass.dispose();
      }
      const msPerStep = (performance.now() - begin) / steps;
      // A whole improve step: improve(·, 3) less improve(·, 1), halved (the phase's set-up cancels).
      const improver = new GradientImprover(config.optimiser.learningRate, onlyEngine);
      const context = { model, policy, critic, buffer, settings, rng };
      const one = await counted(() => improver.improve(context, 1));
      const three = await counted(() => improver.improve(context, 3));
      improver.dispose();
      return {
        backend,
        path: gradient.path,
        adapter: backend === 'webgpu' ? await adapterName() : null,
        improveDispatches: (three.dispatches - one.dispatches) / 2,
        improveKernels: (three.kernels - one.kernels) / 2,
        rollouts: settings.rollouts,
        horizon: settings.horizon,
        dispatches: count.dispatches,
        kernels: count.kernels,
        fitDispatches: fitCount.dispatches / fitSteps,
        fitKernels: fitCount.kernels / fitSteps,
        msPerStep,
      };
    } finally {
      gradient.dispose();
    }
  } finally {
    starts.dispose();
    model.dispose();
    policy.dispose();
    critic.dispose();
  }
}

async function adapterName(): Promise<string> {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null || adapter === undefined) return 'no adapter';
  const info = adapter.info as GPUAdapterInfo & { readonly isFallbackAdapter?: boolean };
  const name = [info.vendor, info.architecture, info.description].filter((part) => part !== '').join(' ');
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter;
  return `${name === '' ? 'unnamed' : name}${fallback ? ' (a fallback adapter: software)' : ''}`;
}

declare global {
  interface Window {
    modelPage: { run: typeof run; bench: typeof bench; layouts: typeof layouts; gradientStep: typeof gradientStep; ready: true };
  }
}

window.modelPage = { run, bench, layouts, gradientStep, ready: true };
