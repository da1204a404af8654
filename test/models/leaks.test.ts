/** No tensor outlives the call that made it, except what the caller was handed. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import { randomUniformPolicy } from '../../src/models/policy';
import { WorldModel } from '../../src/models/worldModel';
import { createRng } from '../../src/rng';
import { collectRandomTransitions, useBackend } from './helpers';

describe.each(['wasm', 'cpu'] as const)('tensor count on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(['mse', 'gaussian'] as const)('is the same after 50 fit + rollout + predict calls as after 1 (%s)', async (likelihood) => {
    const rng = createRng(3);
    const spec = getEnv('Pendulum-v1').spec;
    const buffer = collectRandomTransitions('Pendulum-v1', 8, 40, rng);
    const model = new WorldModel(spec, { members: 3, hiddenUnits: 16, activation: 'tanh', likelihood }, rng);
    const policy = randomUniformPolicy(spec.actionSpace, rng);
    const start = tf.tensor2d(buffer.gather(buffer.sample(rng, 16)).observations, [16, 3]);
    const actions = tf.fill([16, 1], 0.5) as tf.Tensor2D;
    const cycle = async (i: number) => {
      await model.fit(buffer, 2, { batchSize: 32 });
      const member = (['all', 'random', 'mean'] as const)[i % 3];
      const result = model.rollout(start, policy, 5, { member, reward: i % 2 === 0 ? 'known' : 'learned', sample: true });
      await result.rewards.data();
      result.dispose();
      const prediction = model.predict(start, actions);
      tf.dispose([prediction.nextObservations, prediction.rewards, prediction.nextObservationStd ?? []]);
    };
    await cycle(0);
    const afterOne = tf.memory().numTensors;
    for (let i = 1; i < 50; i++) await cycle(i);
    expect(tf.memory().numTensors).toBe(afterOne);
    model.dispose();
    tf.dispose([start, actions]);
  });

  it('frees every variable on dispose', async () => {
    const before = tf.memory().numTensors;
    const model = new WorldModel(getEnv('CartPole-v1').spec, { members: 2, hiddenUnits: 8, likelihood: 'gaussian' }, createRng(1));
    await model.fit(collectRandomTransitions('CartPole-v1', 4, 20, createRng(2)), 1, { batchSize: 8 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
