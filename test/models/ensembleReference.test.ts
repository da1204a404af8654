/**
 * The batched ensemble computes what a plain per-member network computes: predictions and
 * imagined rollouts of every layout and activation against a float64 reference (helpers.ts),
 * and the hand-written layer gradient against tfjs's own autodiff.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { ACTIVATIONS, type Activation } from '../../src/models/activation';
import { LAYOUT_CANDIDATES } from '../../src/models/calibration';
import { ensembleForward } from '../../src/models/ensembleForward';
import type { EnsembleLayout } from '../../src/models/layout';
import { rowLosses } from '../../src/models/likelihood';
import { constantPolicy } from '../../src/models/policy';
import { WorldModel } from '../../src/models/worldModel';
import { createRng } from '../../src/rng';
import { collectRandomTransitions, memberReference, rows, useBackend, worstRelativeError } from './helpers';

const MEMBERS = 3;

async function fittedModel(envId: EnvId, activation: Activation, layout: EnsembleLayout, gaussian = false, depth = 2) {
  const rng = createRng(11);
  const buffer = collectRandomTransitions(envId, 16, 40, rng.fork('data'));
  const model = new WorldModel(
    getEnv(envId).spec,
    { members: MEMBERS, hiddenLayers: depth, hiddenUnits: 24, activation, likelihood: gaussian ? 'gaussian' : 'mse', layout },
    rng,
  );
  // A few steps so that weights and normalisation statistics are far from their initial values.
  await model.fit(buffer, 30, { batchSize: 64, learningRate: 3e-3 });
  const starts = buffer.gather(buffer.sample(rng, 6, 'all'));
  return { model, buffer, starts, rng };
}

describe.each(['wasm', 'cpu'] as const)('ensemble against a per-member reference on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(LAYOUT_CANDIDATES.flatMap((layout) => ACTIVATIONS.map((activation) => ({ layout, activation }))))(
    'predict: $layout.members/$layout.transposes, $activation',
    async ({ layout, activation }) => {
      const { model, starts } = await fittedModel('Pendulum-v1', activation, layout, true);
      const d = model.observationDim;
      const observations = rows(starts.observations, d);
      const actions = Array.from(starts.actions);
      const prediction = model.predict(tf.tensor2d(observations), tf.tensor2d(actions, [actions.length, 1]));
      const next = await prediction.nextObservations.data();
      const rewards = await prediction.rewards.data();
      const std = await prediction.nextObservationStd!.data();
      for (let m = 0; m < MEMBERS; m++) {
        const reference = await memberReference(model, m);
        const expected = observations.map((o, i) => reference.predict(o, actions[i]));
        const slice = (values: Float32Array | Int32Array | Uint8Array, width: number) =>
          Array.from(values).slice(m * observations.length * width, (m + 1) * observations.length * width);
        expect(worstRelativeError(slice(next, d), expected.flatMap((e) => e.next))).toBeLessThan(1);
        expect(worstRelativeError(slice(rewards, 1), expected.map((e) => e.reward))).toBeLessThan(1);
        expect(worstRelativeError(slice(std, d), expected.flatMap((e) => e.std!))).toBeLessThan(1);
      }
      tf.dispose([prediction.nextObservations, prediction.rewards, prediction.nextObservationStd!]);
      model.dispose();
    },
  );

  it.each(LAYOUT_CANDIDATES)('rollout "all" follows each member: $members/$transposes', async (layout) => {
    const { model, starts } = await fittedModel('Pendulum-v1', 'tanh', layout);
    const d = model.observationDim;
    const B = starts.count;
    const H = 4;
    const action = 0.7;
    const result = model.rollout(tf.tensor2d(starts.observations, [B, d]), constantPolicy(action), H, {
      member: 'all',
      reward: 'learned',
    });
    const observations = await result.observations.data();
    const rewards = await result.rewards.data();
    const R = MEMBERS * B;
    for (let m = 0; m < MEMBERS; m++) {
      const reference = await memberReference(model, m);
      for (let b = 0; b < B; b++) {
        let state = Array.from(starts.observations.slice(b * d, (b + 1) * d));
        for (let t = 0; t < H; t++) {
          const step = reference.predict(state, action);
          const row = m * B + b;
          const actual = observations.slice(((t + 1) * R + row) * d, ((t + 1) * R + row + 1) * d);
          // Errors compound over steps: allow 10× the one-step tolerance by the last step.
          expect(worstRelativeError(actual, step.next, 1e-4, 1e-3)).toBeLessThan(1);
          expect(worstRelativeError([rewards[t * R + row]], [step.reward], 1e-4, 1e-3)).toBeLessThan(1);
          state = Array.from(actual);
        }
      }
    }
    result.dispose();
    model.dispose();
  });

  it('rollout "mean" averages the members and "random" takes one member per row and step', async () => {
    const { model, starts, rng } = await fittedModel('CartPole-v1', 'relu', LAYOUT_CANDIDATES[0]);
    const d = model.observationDim;
    const B = starts.count;
    const references = await Promise.all(Array.from({ length: MEMBERS }, (_, m) => memberReference(model, m)));
    for (const member of ['mean', 'random'] as const) {
      const result = model.rollout(tf.tensor2d(starts.observations, [B, d]), constantPolicy(1), 3, { member, rng });
      const observations = await result.observations.data();
      for (let t = 0; t < 3; t++) {
        for (let b = 0; b < B; b++) {
          const state = Array.from(observations.slice((t * B + b) * d, (t * B + b + 1) * d));
          const actual = observations.slice(((t + 1) * B + b) * d, ((t + 1) * B + b + 2) * d - d);
          const perMember = references.map((reference) => reference.predict(state, 1).next);
          if (member === 'mean') {
            const mean = state.map((_, k) => perMember.reduce((sum, next) => sum + next[k], 0) / MEMBERS);
            expect(worstRelativeError(actual, mean)).toBeLessThan(1);
          } else {
            const best = Math.min(...perMember.map((next) => worstRelativeError(actual, next)));
            expect(best).toBeLessThan(1);
          }
        }
      }
      result.dispose();
    }
    model.dispose();
  });

  it('Gaussian sampling draws from each member\'s predicted mean and std', async () => {
    const { model, starts } = await fittedModel('Pendulum-v1', 'elu', LAYOUT_CANDIDATES[0], true);
    const d = model.observationDim;
    const N = 4000;
    const state = Array.from(starts.observations.slice(0, d));
    const start = tf.tile(tf.tensor2d([state]), [N, 1]) as tf.Tensor2D;
    const result = model.rollout(start, constantPolicy(-1.5), 1, { member: 'all', sample: true, rng: createRng(3) });
    const next = await result.observations.data();
    for (let m = 0; m < MEMBERS; m++) {
      const expected = (await memberReference(model, m)).predict(state, -1.5);
      for (let k = 0; k < d; k++) {
        const draws = Array.from({ length: N }, (_, i) => next[((1 * MEMBERS + m) * N + i) * d + k]);
        const mean = draws.reduce((a, b) => a + b, 0) / N;
        const std = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
        const expectedStd = expected.std![k];
        expect(Math.abs(mean - expected.next[k])).toBeLessThan((4 * expectedStd) / Math.sqrt(N));
        expect(std / expectedStd).toBeGreaterThan(0.93);
        expect(std / expectedStd).toBeLessThan(1.07);
      }
    }
    result.dispose();
    start.dispose();
    model.dispose();
  });

  it('a model with no hidden layer is affine and still matches', async () => {
    const { model, starts } = await fittedModel('MountainCarContinuous-v0', 'relu', LAYOUT_CANDIDATES[0], false, 0);
    const d = model.observationDim;
    const reference = await memberReference(model, 1);
    const prediction = model.predict(tf.tensor2d(starts.observations, [starts.count, d]), tf.tensor2d(starts.actions, [starts.count, 1]));
    const next = Array.from(await prediction.nextObservations.data()).slice(starts.count * d, 2 * starts.count * d);
    const expected = rows(starts.observations, d).flatMap((o, i) => reference.predict(o, starts.actions[i]).next);
    expect(worstRelativeError(next, expected)).toBeLessThan(1);
    tf.dispose([prediction.nextObservations, prediction.rewards]);
    model.dispose();
  });

  it.each(ACTIVATIONS)('the hand-written layer gradient equals tfjs autodiff (%s, Gaussian)', async (activation) => {
    const { model } = await fittedModel('Acrobot-v1', activation, LAYOUT_CANDIDATES[0], true);
    const params = model.ensemble;
    const variables = params.variables();
    const rng = createRng(5);
    const inputs = tf.tensor3d(rng.fillNormal(new Float32Array(MEMBERS * 32 * 9)) as Float32Array, [MEMBERS, 32, 9]);
    const targets = tf.tensor3d(rng.fillNormal(new Float32Array(MEMBERS * 32 * 7)) as Float32Array, [MEMBERS, 32, 7]);
    const gradientsWith = (layout: EnsembleLayout) =>
      tf.variableGrads(
        () => tf.sum(rowLosses(ensembleForward(params, inputs, layout), targets)) as tf.Scalar,
        variables,
      ).grads;
    // The batched layout differentiates plain tfjs ops; the per-member one uses dense.ts's gradFunc.
    const reference = gradientsWith({ members: 'batched', transposes: 'flags' });
    // Float32 tolerance relative to the whole gradient's scale: the log-variance lower bound's
    // gradient is 1 − sigmoid(x) at large x, whose rounding is large relative to its tiny value.
    let scale = 0;
    for (const variable of variables) scale = Math.max(scale, ...(await tf.abs(reference[variable.name]).data()));
    for (const layout of LAYOUT_CANDIDATES.filter((l) => l.members === 'perMember')) {
      const custom = gradientsWith(layout);
      for (const variable of variables) {
        const error = worstRelativeError(await custom[variable.name].data(), await reference[variable.name].data(), 1e-5 * scale, 1e-3);
        expect(error, `${variable.name} ${layout.transposes}`).toBeLessThan(1);
      }
      tf.dispose(Object.values(custom));
    }
    tf.dispose([...Object.values(reference), inputs, targets]);
    model.dispose();
  });
});
