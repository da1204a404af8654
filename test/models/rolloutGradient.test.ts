/**
 * Policies are improved by differentiating the imagined return through the model, so a rollout
 * must be differentiable end to end: the hand-written layer gradient (dense.ts) inside the loop
 * against finite differences, and every env's termination test passing through without error.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import type { Policy } from '../../src/models/policy';
import { WorldModel } from '../../src/models/worldModel';
import { createRng } from '../../src/rng';
import { collectRandomTransitions, useBackend } from './helpers';

async function trainedModel(envId: EnvId) {
  const rng = createRng(4);
  const buffer = collectRandomTransitions(envId, 16, 40, rng.fork('data'));
  const model = new WorldModel(getEnv(envId).spec, { members: 2, hiddenUnits: 32, activation: 'elu' }, rng);
  await model.fit(buffer, 40, { batchSize: 64, learningRate: 3e-3 });
  const starts = buffer.gather(buffer.sample(rng, 8, 'all'));
  return { model, start: tf.tensor2d(starts.observations, [8, model.observationDim]) };
}

/** A linear policy: tanh-squashed into the box, or a softmax over the discrete actions. */
function linearPolicy(envId: EnvId, theta: tf.Tensor2D): Policy {
  const space = getEnv(envId).spec.actionSpace;
  return (observations) =>
    space.kind === 'box' ? tf.mul(tf.tanh(tf.matMul(observations, theta)), space.high) : tf.softmax(tf.matMul(observations, theta));
}

function imaginedReturn(model: WorldModel, envId: EnvId, start: tf.Tensor2D, theta: tf.Tensor2D): tf.Scalar {
  const result = model.rollout(start, linearPolicy(envId, theta), 4, { member: 'mean' });
  const total = tf.sum(result.rewards) as tf.Scalar;
  result.dispose();
  return total;
}

describe.each(['wasm', 'cpu'] as const)('gradients through imagined rollouts on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('match finite differences (Pendulum-v1)', async () => {
    const envId = 'Pendulum-v1';
    const { model, start } = await trainedModel(envId);
    const theta = tf.tensor2d([[0.3], [-0.2], [0.1]]);
    const gradient = await tf.grad((t: tf.Tensor) => imaginedReturn(model, envId, start, t as tf.Tensor2D))(theta).data();
    const at = async (values: number[]) => {
      const t = tf.tensor2d(values, [3, 1]);
      const value = (await imaginedReturn(model, envId, start, t).data())[0];
      t.dispose();
      return value;
    };
    const base = Array.from(await theta.data());
    const h = 1e-2;
    for (let k = 0; k < 3; k++) {
      const plus = base.map((v, j) => (j === k ? v + h : v));
      const minus = base.map((v, j) => (j === k ? v - h : v));
      const numeric = ((await at(plus)) - (await at(minus))) / (2 * h);
      expect(Math.abs(gradient[k] - numeric)).toBeLessThan(0.02 * Math.abs(numeric) + 0.02);
    }
    expect(Math.max(...Array.from(gradient).map(Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([theta, start]);
    model.dispose();
  });

  it.each(['MountainCarContinuous-v0', 'CartPole-v1', 'Acrobot-v1', 'MountainCar-v0'] as const)(
    'exist and are finite where the env terminates (%s)',
    async (envId) => {
      const { model, start } = await trainedModel(envId);
      const space = getEnv(envId).spec.actionSpace;
      const columns = space.kind === 'box' ? 1 : space.n;
      const theta = tf.fill([model.observationDim, columns], 0.1) as tf.Tensor2D;
      const gradient = await tf.grad((t: tf.Tensor) => imaginedReturn(model, envId, start, t as tf.Tensor2D))(theta).data();
      expect(Array.from(gradient).every(Number.isFinite)).toBe(true);
      tf.dispose([theta, start]);
      model.dispose();
    },
  );
});
