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

declare global {
  interface Window {
    modelPage: { run: typeof run; bench: typeof bench; layouts: typeof layouts; ready: true };
  }
}

window.modelPage = { run, bench, layouts, ready: true };
