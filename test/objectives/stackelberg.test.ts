/**
 * Maximin model adaptation: after the MLE fit, the model moves to lower the policy's imagined
 * value, but only as far as its likelihood ball lets it (holdout loss ≤ (1 + ε)·L₀); with ε = 0 it
 * has no room; and the next fit starts from the MLE, not from the adapted copy (the loop on every
 * env: throughTheLoop.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tidyKeeping } from '../../src/models/tidy';
import type { WorldModel } from '../../src/models/worldModel';
import type { ReplayBuffer } from '../../src/data/replayBuffer';
import { MaximinAdaptation } from '../../src/objectives/stackelberg';
import { differentiablePolicy } from '../../src/policies/gradientImprover';
import type { ObjectiveWorld } from '../../src/objectives/learningObjective';
import { createRng } from '../../src/rng';
import { maximinFigures } from '../../src/report';
import { useBackend } from '../models/helpers';
import { buildWorld, type TestWorld } from './worldHelpers';

/**
 * The normalised MSE of the model on every holdout row, written here from predict() and the
 * buffer rather than by the objective's own HeldOutLoss: mean over members, rows and the D columns
 * (deltas and reward) of ((prediction − truth)/σ_target)².
 */
async function holdoutMse(model: WorldModel, buffer: ReplayBuffer): Promise<number> {
  const batch = buffer.gather(buffer.slots('holdout'));
  const d = model.observationDim;
  const n = batch.count;
  const prediction = tidyKeeping(() =>
    model.predict(tf.tensor2d(batch.observations, [n, d]), tf.tensor2d(batch.actions, [n, 1])),
  );
  const next = (await prediction.nextObservations.array()) as number[][][];
  const rewards = (await prediction.rewards.array()) as number[][];
  tf.dispose([prediction.nextObservations, prediction.rewards]);
  const std = model.stats.targetStd;
  let sum = 0;
  for (let m = 0; m < next.length; m++) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++)
        sum += ((next[m][i][k] - batch.nextObservations[i * d + k]) / std[k]) ** 2;
      sum += ((rewards[m][i] - batch.rewards[i]) / std[d]) ** 2;
    }
  }
  return sum / (next.length * n * (d + 1));
}

/**
 * The policy's imagined value from start states of the test's own (not the objective's): every
 * member from every start, Σ_t γ^t r_t + γ^H V(o_H), averaged.
 */
async function imaginedValue(world: ObjectiveWorld, starts: tf.Tensor2D): Promise<number> {
  const { horizon: H, discount } = world.imagination;
  const value = tf.tidy(() => {
    const rollout = world.model.rollout(starts, differentiablePolicy(world.policy), H, {
      member: 'all',
    });
    const [, R, d] = rollout.observations.shape;
    const weights = tf.tensor2d(
      Array.from({ length: H }, (_, t) => discount ** t),
      [H, 1],
    );
    const last = rollout.observations.slice([H, 0, 0], [1, R, d]).reshape([R, d]) as tf.Tensor2D;
    return rollout.rewards
      .mul(weights)
      .sum(0)
      .add(world.critic.value(last).mul(discount ** H))
      .mean();
  });
  const result = (await value.data())[0];
  value.dispose();
  return result;
}

async function flatParameters(model: WorldModel): Promise<number[]> {
  const values = await Promise.all(model.variables.map((v) => v.data()));
  return values.flatMap((v) => Array.from(v));
}

describe('MaximinAdaptation (Pendulum-v1, a model fitted on random data)', () => {
  let test: TestWorld;

  beforeAll(async () => {
    await useBackend('wasm');
    test = await buildWorld('Pendulum-v1', { fitSteps: 300 });
  });
  afterAll(() => test.dispose());

  it('lowers the imagined value while the holdout loss stays inside its ball', async () => {
    const { world } = test;
    const radius = 0.1;
    const objective = new MaximinAdaptation(
      test.setup({ kind: 'stackelberg', ballRadius: radius }),
    );
    const before = await flatParameters(world.model);
    const initialLoss = await holdoutMse(world.model, world.buffer);
    const tensors = tf.memory().numTensors;
    const starts = world.buffer.gather(world.buffer.sample(createRng(99), 64, 'all'));
    const startTensor = tf.tensor2d(starts.observations, [64, world.model.observationDim]);
    const valueBefore = await imaginedValue(world, startTensor);
    objective.beforeFit();
    await objective.adaptModel(world);
    // The objective keeps its copy of θ_MLE in host memory until the next adaptation: no tensor
    // besides the starts is left.
    expect(tf.memory().numTensors).toBe(tensors + 1);
    const adaptedLoss = await holdoutMse(world.model, world.buffer);
    const { report } = await objective.figures();
    const maximin = maximinFigures(report);
    expect(maximin).not.toBeNull();
    expect(maximin?.steps).toBeGreaterThan(0);
    expect(maximin?.valueDrop).toBeGreaterThan(0);
    expect(adaptedLoss).toBeLessThanOrEqual((1 + radius) * initialLoss * (1 + 1e-4));
    // It used the room it had: the pessimistic model is a measurably worse fit.
    expect(adaptedLoss).toBeGreaterThan(initialLoss * (1 + radius / 4));
    expect(maximin?.holdoutLossIncrease).toBeCloseTo(adaptedLoss / initialLoss - 1, 2);
    // Pessimistic beyond the start states it adapted on.
    const valueAfter = await imaginedValue(world, startTensor);
    expect(valueAfter).toBeLessThan(valueBefore);
    startTensor.dispose();

    // The next iteration's fit starts from θ_MLE, not from the adapted copy.
    expect(await flatParameters(world.model)).not.toEqual(before);
    objective.beforeFit();
    expect(await flatParameters(world.model)).toEqual(before);
    objective.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('does not move with a ball of radius 0', async () => {
    const { world } = test;
    const objective = new MaximinAdaptation(test.setup({ kind: 'stackelberg', ballRadius: 0 }));
    const initialLoss = await holdoutMse(world.model, world.buffer);
    objective.beforeFit();
    await objective.adaptModel(world);
    const adaptedLoss = await holdoutMse(world.model, world.buffer);
    const { report } = await objective.figures();
    expect(adaptedLoss).toBeLessThanOrEqual(initialLoss * (1 + 1e-4));
    expect(Math.abs(maximinFigures(report)?.valueDrop ?? Number.NaN)).toBeLessThan(1e-3);
    objective.beforeFit();
    objective.dispose();
  });
});
