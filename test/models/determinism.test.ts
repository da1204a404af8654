/** The same seed and config give the same losses: exactly on one backend, closely across two. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import { constantPolicy } from '../../src/models/policy';
import { WorldModel, type WorldModelConfig } from '../../src/models/worldModel';
import { createRng } from '../../src/rng';
import { collectRandomTransitions, useBackend, worstRelativeError } from './helpers';

const config: Partial<WorldModelConfig> = { members: 3, hiddenUnits: 32, activation: 'elu', likelihood: 'gaussian' };

async function run(backend: 'wasm' | 'cpu', seed: number) {
  await useBackend(backend);
  const rng = createRng(seed);
  const buffer = collectRandomTransitions('Pendulum-v1', 16, 50, rng.fork('data'));
  const model = new WorldModel(getEnv('Pendulum-v1').spec, config, rng);
  const first = await model.fit(buffer, 15, { batchSize: 64 });
  const second = await model.fit(buffer, 15, { batchSize: 64 });
  const start = tf.tensor2d(buffer.gather(buffer.slots('all').subarray(0, 8)).observations, [8, 3]);
  const rollout = model.rollout(start, constantPolicy(1), 5, { member: 'random', sample: true });
  const observations = Array.from(await rollout.observations.data());
  rollout.dispose();
  start.dispose();
  model.dispose();
  const losses = [first, second].flatMap((r) => [...r.trainLoss, ...r.holdoutLoss, ...r.trainMse, ...r.holdoutMse]);
  return { losses, observations };
}

describe('determinism', () => {
  it.each(['wasm', 'cpu'] as const)('is exact run to run on %s', async (backend) => {
    const a = await run(backend, 7);
    const b = await run(backend, 7);
    expect(a.losses).toEqual(b.losses);
    expect(a.observations).toEqual(b.observations);
    const other = await run(backend, 8);
    expect(other.losses).not.toEqual(a.losses);
  });

  it('agrees between WASM and CPU to float32 accumulation error', async () => {
    const wasm = await run('wasm', 7);
    const cpu = await run('cpu', 7);
    expect(worstRelativeError(wasm.losses, cpu.losses, 1e-5, 1e-3)).toBeLessThan(1);
    expect(worstRelativeError(wasm.observations, cpu.observations, 1e-4, 1e-3)).toBeLessThan(1);
  });
});
