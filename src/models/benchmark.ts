/**
 * The world-model benchmark, shared by `npm run bench -- model` (Node) and the browser page:
 * imagined member-transitions per second, the FLOP rate that is, the ceiling it is measured
 * against, and training throughput. Timings read the tfjs clock and wait for results, so they
 * are honest on asynchronous backends (WebGPU) too.
 *
 * Efficiency = achieved FLOP/s of the rollout ÷ the rate of one `tf.fused.matMul` with bias and
 * activation on the workload's largest layer, [B, width] × [width, width]. Both are best-of
 * estimates (fastest rollout of the repeats; fastest burst of a few kernel calls), measured
 * alternately: other work on the machine only ever slows a run down, so the best run is the
 * closest to what the code does on an idle core, and bursts are short, so the ceiling is the
 * more likely of the two to have caught a quiet moment (the ratio errs low, not high).
 */
import * as tf from '@tensorflow/tfjs';
import { ReplayBuffer } from '../data/replayBuffer';
import { getEnv } from '../envs';
import type { EnvId } from '../envs/types';
import { createRng } from '../rng';
import { actionFeatureDim } from './actions';
import { fusedKernelActivation, type Activation } from './activation';
import type { EnsembleLayout } from './layout';
import { randomUniformPolicy } from './policy';
import type { MemberChoice } from './rollout';
import { WorldModel } from './worldModel';

export interface ModelBenchmarkSettings {
  readonly envId: EnvId;
  readonly members: number;
  readonly hiddenLayers: number;
  readonly hiddenUnits: number;
  readonly rollouts: number;
  readonly horizon: number;
  readonly member: MemberChoice;
  readonly repeats: number;
  /** Omit to use the backend's default (or measured) layout. */
  readonly layout?: EnsembleLayout;
}

export const BENCHMARK_DEFAULTS: ModelBenchmarkSettings = {
  envId: 'Pendulum-v1',
  members: 5,
  hiddenLayers: 2,
  hiddenUnits: 200,
  rollouts: 1024,
  horizon: 32,
  member: 'all',
  repeats: 5,
};

export interface RolloutBenchmark {
  readonly activation: Activation;
  readonly layout: EnsembleLayout;
  readonly memberTransitionsPerSecond: number;
  readonly secondsPerRollout: number;
  /** Multiply-adds ×2 of every layer, per member-transition. */
  readonly flopsPerMemberTransition: number;
  readonly achievedGflops: number;
  readonly ceilingGflops: number;
  /** The activation the ceiling's fused kernel ran (tanh cannot fuse; it runs as sigmoid here). */
  readonly ceilingActivation: string;
  readonly efficiency: number;
}

/** Pendulum (or another env) transitions under random actions, for the model to fit on. */
export function benchmarkBuffer(envId: EnvId, count: number, seed = 1): ReplayBuffer {
  const rng = createRng(seed, 'benchmark-data');
  const env = getEnv(envId);
  const envs = 64;
  const batch = env.createBatch(envs);
  batch.reset(rng);
  const d = env.spec.observationNames.length;
  const buffer = new ReplayBuffer({ capacity: count, observationDim: d, actionDim: 1, splitSeed: rng.seed32() });
  const space = env.spec.actionSpace;
  const actions = new Float64Array(envs);
  while (buffer.size < count) {
    const before = batch.observations.map((column) => column.slice());
    for (let i = 0; i < envs; i++) actions[i] = space.kind === 'box' ? rng.uniform(space.low, space.high) : rng.int(space.n);
    batch.step(actions);
    buffer.addBatch(before, actions, batch.rewards, batch.observations, batch.terminated);
    for (let i = 0; i < envs; i++) if (batch.terminated[i] || batch.truncated[i]) batch.resetAt(i, rng);
  }
  return buffer;
}

/**
 * Milliseconds by some clock: wall time (`tf.util.now`, the default and the browser's only one),
 * or in Node this process's CPU time, which other processes on a shared machine do not inflate
 * (tfjs-wasm runs on one thread, so on an idle machine the two agree).
 */
export type Clock = () => number;

export async function benchmarkRollout(
  activation: Activation,
  buffer: ReplayBuffer,
  settings: ModelBenchmarkSettings = BENCHMARK_DEFAULTS,
  clock: Clock = tf.util.now,
): Promise<RolloutBenchmark> {
  const rng = createRng(2, `benchmark-${activation}`);
  const spec = getEnv(settings.envId).spec;
  const model = new WorldModel(spec, { ...settings, activation, likelihood: 'mse' }, rng);
  const width = settings.hiddenUnits;
  const d = model.observationDim;
  const inputDim = d + actionFeatureDim(spec.actionSpace);
  // Known reward: the mean head keeps the d delta columns.
  const sizes = [inputDim, ...Array<number>(settings.hiddenLayers).fill(width), d];
  const flopsPerMemberTransition = sizes.slice(1).reduce((sum, out, l) => sum + 2 * sizes[l] * out, 0);
  const memberTransitions = settings.members * settings.rollouts * settings.horizon;
  try {
    // Normalisation statistics from the data (speed does not depend on the weights' values, and
    // a longer fit would dominate the run on slow backends).
    await model.fit(buffer, 2, { evaluationRows: 1 });
    const starts = buffer.gather(buffer.sample(rng, settings.rollouts, 'all'));
    const start = tf.tensor2d(starts.observations, [settings.rollouts, d]);
    const policy = randomUniformPolicy(spec.actionSpace, rng);
    const rollOnce = async () => {
      const begin = clock();
      const result = model.rollout(start, policy, settings.horizon, { member: settings.member });
      await Promise.all([result.rewards.data(), result.disagreement.data()]);
      const seconds = (clock() - begin) / 1000;
      result.dispose();
      return seconds;
    };
    const ceilingActivation = fusedKernelActivation(activation) ?? 'linear';
    await rollOnce();
    const seconds: number[] = [];
    const ceilings: number[] = [];
    for (let r = 0; r < settings.repeats; r++) {
      ceilings.push(await fusedCeilingGflops(settings.rollouts, width, width, ceilingActivation, 300, clock));
      seconds.push(await rollOnce());
    }
    start.dispose();
    const secondsPerRollout = Math.min(...seconds);
    const achievedGflops = (memberTransitions * flopsPerMemberTransition) / secondsPerRollout / 1e9;
    const ceilingGflops = Math.max(...ceilings);
    return {
      activation,
      layout: model.layout,
      memberTransitionsPerSecond: memberTransitions / secondsPerRollout,
      secondsPerRollout,
      flopsPerMemberTransition,
      achievedGflops,
      ceilingGflops,
      ceilingActivation,
      efficiency: achievedGflops / ceilingGflops,
    };
  } finally {
    model.dispose();
  }
}

/**
 * GFLOP/s of `tf.fused.matMul` [rows, inner] × [inner, outer] + bias + activation: the fastest
 * of bursts of 4 calls over about `ms` (each burst waits for its last result, which keeps the
 * queue of an asynchronous backend short).
 */
export async function fusedCeilingGflops(
  rows: number,
  inner: number,
  outer: number,
  activation: 'linear' | 'relu' | 'elu' | 'sigmoid',
  ms: number,
  clock: Clock = tf.util.now,
): Promise<number> {
  const rng = createRng(3, 'ceiling');
  const a = tf.tensor2d(rng.fillUniform(new Float32Array(rows * inner), -1, 1) as Float32Array, [rows, inner]);
  const b = tf.tensor2d(rng.fillUniform(new Float32Array(inner * outer), -0.1, 0.1) as Float32Array, [inner, outer]);
  const bias = tf.tensor1d(rng.fillUniform(new Float32Array(outer), -0.1, 0.1) as Float32Array);
  const once = () => tf.fused.matMul({ a, b, bias, activation });
  const warm = once();
  await warm.data();
  warm.dispose();
  const callsPerBurst = 4;
  let best = 0;
  const begin = tf.util.now();
  do {
    const burstBegin = clock();
    const outputs = Array.from({ length: callsPerBurst }, once);
    await outputs[callsPerBurst - 1].data();
    const seconds = (clock() - burstBegin) / 1000;
    tf.dispose(outputs);
    best = Math.max(best, (2 * rows * inner * outer * callsPerBurst) / seconds / 1e9);
  } while (tf.util.now() - begin < ms);
  tf.dispose([a, b, bias]);
  return best;
}

export interface TrainingBenchmark {
  readonly layout: EnsembleLayout;
  readonly batchSize: number;
  readonly stepsPerSecond: number;
  /** Member-samples per second: E members × minibatch × steps/s. */
  readonly samplesPerSecond: number;
}

export async function benchmarkTraining(
  activation: Activation,
  buffer: ReplayBuffer,
  settings: ModelBenchmarkSettings = BENCHMARK_DEFAULTS,
  batchSize = 256,
  steps = 30,
  clock: Clock = tf.util.now,
): Promise<TrainingBenchmark> {
  const spec = getEnv(settings.envId).spec;
  const model = new WorldModel(spec, { ...settings, activation, likelihood: 'mse' }, createRng(4, 'train'));
  try {
    await model.fit(buffer, 3, { batchSize, evaluationRows: 1 });
    const rates: number[] = [];
    for (let r = 0; r < Math.max(1, Math.min(settings.repeats, 3)); r++) {
      const begin = clock();
      await model.fit(buffer, steps, { batchSize, evaluationRows: 1 });
      rates.push(steps / ((clock() - begin) / 1000));
    }
    const stepsPerSecond = Math.max(...rates);
    return { layout: model.layout, batchSize, stepsPerSecond, samplesPerSecond: stepsPerSecond * batchSize * settings.members };
  } finally {
    model.dispose();
  }
}
