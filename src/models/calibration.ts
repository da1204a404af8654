/**
 * The calibration workload backend.ts times on each backend: one fit step and one rollout at the
 * configured sizes, on synthetic transitions (only shapes matter for speed), in the layout the
 * run will use there (layout.ts). It chooses the backend, never the layout: the layouts round
 * differently, so a layout chosen by timing would make a seed's numbers depend on the machine's
 * load (measureLayouts is for the benchmarks, which pick the fixed layouts).
 */
import * as tf from '@tensorflow/tfjs';
import { CalibrationStopped } from '../backend';
import { ReplayBuffer } from '../data/replayBuffer';
import type { EnvSpec } from '../envs/types';
import { createRng, type Rng } from '../rng';
import type { EnsembleLayout } from './layout';
import { imagineForward } from '../imagination/forwardRollout';
import { randomUniformPolicy } from './policy';
import { WorldModel, type WorldModelConfig } from './worldModel';

export interface CalibrationSizes {
  /** Imagined rollouts per call (B) and their horizon (H). */
  readonly rollouts: number;
  readonly horizon: number;
  readonly batchSize: number;
}

export const LAYOUT_CANDIDATES: readonly EnsembleLayout[] = [
  { members: 'perMember', transposes: 'explicit' },
  { members: 'perMember', transposes: 'flags' },
  { members: 'batched', transposes: 'flags' },
];

/**
 * The workload for `initBackend({ calibrate })`. Between its pieces (each layout's run, the fit
 * step, the rollout) it asks `overBudget` and stops with CalibrationStopped when told: on a slow
 * backend one piece can take seconds, and the user waits for all of them.
 */
export function modelCalibration(
  spec: EnvSpec,
  config: Partial<WorldModelConfig>,
  sizes: CalibrationSizes,
  seed = 0,
  afterRollout?: AfterRollout,
): (overBudget?: () => boolean) => Promise<void> {
  return async (overBudget = () => false) => {
    const check = () => {
      if (overBudget()) throw new CalibrationStopped();
    };
    await runWorkload(spec, config, sizes, createRng(seed, 'calibration'), sizes.horizon, check, afterRollout);
  };
}

/** More of the loop's work on the fitted model (the imagined gradient step), timed with it. */
export type AfterRollout = (model: WorldModel, buffer: ReplayBuffer, rng: Rng) => Promise<void>;

/**
 * Times each layout on the current backend: one fit step and a short rollout (horizon ≤ 2, at
 * the full batch), after one warm-up run each. Returns ms per run by layout and the fastest.
 */
export async function measureLayouts(
  spec: EnvSpec,
  config: Partial<WorldModelConfig>,
  sizes: CalibrationSizes,
  seed = 0,
  check: () => void = () => undefined,
): Promise<{ fastest: EnsembleLayout; timings: { layout: EnsembleLayout; ms: number }[] }> {
  const timings: { layout: EnsembleLayout; ms: number }[] = [];
  for (const layout of LAYOUT_CANDIDATES) {
    const run = () => runWorkload(spec, { ...config, layout }, sizes, createRng(seed, 'layouts'), Math.min(2, sizes.horizon), check);
    await run();
    const begin = tf.util.now();
    await run();
    timings.push({ layout, ms: tf.util.now() - begin });
  }
  const fastest = timings.reduce((best, entry) => (entry.ms < best.ms ? entry : best));
  return { fastest: fastest.layout, timings };
}

async function runWorkload(
  spec: EnvSpec,
  config: Partial<WorldModelConfig>,
  sizes: CalibrationSizes,
  rng: Rng,
  horizon: number,
  check: () => void = () => undefined,
  afterRollout?: AfterRollout,
): Promise<void> {
  check();
  const buffer = syntheticBuffer(spec, Math.max(2 * sizes.batchSize, sizes.rollouts), rng);
  const model = new WorldModel(spec, config, rng);
  try {
    await model.fit(buffer, 1, { batchSize: sizes.batchSize, evaluationRows: 1 });
    check();
    const starts = buffer.gather(buffer.sample(rng, sizes.rollouts, 'all'));
    const start = tf.tensor2d(starts.observations, [sizes.rollouts, model.observationDim]);
    // The rollout as the loop runs it: on the imagination engine, the model folded for the call.
    try {
      const result = await imagineForward(model, start, randomUniformPolicy(spec.actionSpace, rng), horizon, { member: 'random', rng });
      await result.rewards.data();
      result.dispose();
    } finally {
      start.dispose();
    }
    if (afterRollout !== undefined) {
      check();
      await afterRollout(model, buffer, rng);
    }
  } finally {
    model.dispose();
  }
}

/** Transitions with observations uniform in the (clipped) observation box and random actions. */
function syntheticBuffer(spec: EnvSpec, count: number, rng: Rng): ReplayBuffer {
  const d = spec.observationNames.length;
  const buffer = new ReplayBuffer({ capacity: count, observationDim: d, actionDim: 1, holdoutFraction: 0 });
  const bound = (value: number) => Math.max(-10, Math.min(10, value));
  const draw = () => spec.observationLow.map((low, k) => rng.uniform(bound(low), bound(spec.observationHigh[k])));
  const space = spec.actionSpace;
  for (let i = 0; i < count; i++) {
    const action = space.kind === 'box' ? rng.uniform(space.low, space.high) : rng.int(space.n);
    buffer.add(draw(), action, rng.uniform(-1, 1), draw(), false);
  }
  return buffer;
}
