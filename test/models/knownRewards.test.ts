/**
 * The tfjs known rewards and terminations against the envs' own step(), on states drawn to cover
 * the interesting regions (near the goals and thresholds, past the action bounds).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { knownRewardModel } from '../../src/models/knownRewards';
import { createRng, type Rng } from '../../src/rng';
import { useBackend } from './helpers';

/** A state and an action drawn around the region where reward or termination changes. */
const cases: Record<EnvId, (rng: Rng) => { state: number[]; action: number }> = {
  'Pendulum-v1': (rng) => ({ state: [rng.uniform(-Math.PI, Math.PI), rng.uniform(-8, 8)], action: rng.uniform(-3, 3) }),
  'MountainCarContinuous-v0': (rng) => ({ state: [rng.uniform(0.3, 0.6), rng.uniform(-0.02, 0.07)], action: rng.uniform(-2, 2) }),
  'MountainCar-v0': (rng) => ({ state: [rng.uniform(0.35, 0.6), rng.uniform(-0.02, 0.07)], action: rng.int(3) }),
  'CartPole-v1': (rng) => ({
    state: [rng.uniform(-2.6, 2.6), rng.uniform(-2, 2), rng.uniform(-0.25, 0.25), rng.uniform(-2, 2)],
    action: rng.int(2),
  }),
  'Acrobot-v1': (rng) => ({
    state: [rng.uniform(-Math.PI, Math.PI), rng.uniform(-Math.PI, Math.PI), rng.uniform(-4, 4), rng.uniform(-9, 9)],
    action: rng.int(3),
  }),
};

describe('known rewards and terminations match the envs', () => {
  beforeAll(() => useBackend('wasm'));

  it.each(Object.keys(cases) as EnvId[])('%s', async (envId) => {
    const env = getEnv(envId);
    const rng = createRng(21).fork(envId);
    const count = 2000;
    const obs: number[][] = [];
    const next: number[][] = [];
    const actions: number[] = [];
    const rewards: number[] = [];
    const terminated: number[] = [];
    for (let i = 0; i < count; i++) {
      const { state, action } = cases[envId](rng);
      const step = env.stepFromState(state, action);
      obs.push(env.observe(state));
      next.push(step.nextObservation);
      actions.push(action);
      rewards.push(step.reward);
      terminated.push(step.terminated ? 1 : 0);
    }
    const model = knownRewardModel(envId, env.spec.defaultParams);
    const [predictedRewards, predictedTerminated] = tf.tidy(() => {
      const nextTensor = tf.tensor2d(next);
      return [
        model.reward(tf.tensor2d(obs), tf.tensor2d(actions, [count, 1]), nextTensor),
        model.terminated(nextTensor) ?? tf.zeros([count]),
      ];
    });
    const got = await predictedRewards.data();
    const done = await predictedTerminated.data();
    tf.dispose([predictedRewards, predictedTerminated]);
    // Both outcomes must occur, or the comparison proves little.
    if (envId !== 'Pendulum-v1') expect(new Set(terminated).size).toBe(2);
    let mismatches = 0;
    for (let i = 0; i < count; i++) {
      // The model sees float32 observations, the env its float64 state: at most a rare flip
      // right at a threshold.
      if (done[i] !== terminated[i]) mismatches++;
      else expect(got[i]).toBeCloseTo(rewards[i], envId === 'Pendulum-v1' ? 3 : 4);
    }
    expect(mismatches).toBeLessThanOrEqual(2);
  });
});
