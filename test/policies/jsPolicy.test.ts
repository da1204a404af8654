/**
 * The policy judged in the real env (JsPolicy, plain JS) is the one trained in imagination
 * (PolicyNetwork, tfjs): same normalisation, tanh layers, squash and arg-max.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { JsPolicy } from '../../src/policies/jsPolicy';
import { PolicyNetwork } from '../../src/policies/policyNetwork';
import { createRng, type Rng } from '../../src/rng';
import { useBackend } from '../models/helpers';

const ROWS = 200;

/** A policy with an output layer large enough that actions spread over the whole space. */
function spreadPolicy(envId: EnvId, depth: number, rng: Rng): PolicyNetwork {
  const spec = getEnv(envId).spec;
  const d = spec.observationNames.length;
  const inputMean = Float32Array.from({ length: d }, () => rng.uniform(-0.5, 0.5));
  const inputScale = Float32Array.from({ length: d }, () => rng.uniform(0.5, 2));
  const policy = new PolicyNetwork(
    { observationDim: d, actionSpace: spec.actionSpace, width: 16, depth, inputMean, inputScale },
    rng,
  );
  const last = policy.weights[policy.weights.length - 1];
  const lastBias = policy.biases[policy.biases.length - 1];
  tf.tidy(() => {
    last.assign(tf.randomNormal(last.shape, 0, 1.5, 'float32', rng.seed32()));
    lastBias.assign(tf.randomNormal(lastBias.shape, 0, 0.3, 'float32', rng.seed32()));
  });
  return policy;
}

function randomObservations(d: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: ROWS * d }, () => rng.uniform(-3, 3));
}

describe('JsPolicy mirrors PolicyNetwork', () => {
  beforeAll(() => useBackend('wasm'));
  const made: PolicyNetwork[] = [];
  afterAll(() => made.forEach((policy) => policy.dispose()));

  it.each([
    ['Pendulum-v1', 1],
    ['MountainCarContinuous-v0', 2],
  ] as const)(
    'box (%s, depth %i): the deterministic action agrees within 1e-5',
    async (envId, depth) => {
      const rng = createRng(11);
      const policy = spreadPolicy(envId, depth, rng);
      made.push(policy);
      const d = policy.shape.observationDim;
      const observations = randomObservations(d, rng);
      const input = tf.tensor2d(observations, [ROWS, d]);
      const actions = policy.deterministicAction(input);
      const expected = await actions.data();
      tf.dispose([input, actions]);
      const js = new JsPolicy(await policy.snapshot());
      const space = policy.shape.actionSpace;
      if (space.kind !== 'box') throw new Error('box env expected');
      let low = 0;
      let high = 0;
      for (let i = 0; i < ROWS; i++) {
        const action = js.act(observations.subarray(i * d, (i + 1) * d));
        expect(Math.abs(action - expected[i]), `row ${i}`).toBeLessThan(1e-5);
        if (action < space.low + 0.25 * (space.high - space.low)) low++;
        if (action > space.high - 0.25 * (space.high - space.low)) high++;
      }
      // The comparison covers the whole box, the squash's saturated ends included.
      expect(low).toBeGreaterThan(10);
      expect(high).toBeGreaterThan(10);
    },
  );

  it.each([
    ['CartPole-v1', 1],
    ['Acrobot-v1', 2],
  ] as const)('discrete (%s, depth %i): the same arg-max', async (envId, depth) => {
    const rng = createRng(12);
    const policy = spreadPolicy(envId, depth, rng);
    made.push(policy);
    const d = policy.shape.observationDim;
    const space = policy.shape.actionSpace;
    if (space.kind !== 'discrete') throw new Error('discrete env expected');
    const observations = randomObservations(d, rng);
    const input = tf.tensor2d(observations, [ROWS, d]);
    const oneHot = policy.deterministicAction(input);
    const logits = policy.head(input);
    const [hot, head] = await Promise.all([oneHot.data(), logits.data()]);
    tf.dispose([input, oneHot, logits]);
    const js = new JsPolicy(await policy.snapshot());
    const counts = new Array<number>(space.n).fill(0);
    let compared = 0;
    for (let i = 0; i < ROWS; i++) {
      const row = Array.from(head.subarray(i * space.n, (i + 1) * space.n)).sort((a, b) => b - a);
      const action = js.act(observations.subarray(i * d, (i + 1) * d));
      counts[action]++;
      // A near-tie may fall either way between float32 and float64 sums.
      if (row[0] - row[1] < 1e-5) continue;
      expect(hot[i * space.n + action], `row ${i}`).toBe(1);
      compared++;
    }
    expect(compared).toBeGreaterThan(ROWS * 0.95);
    // Every action is chosen somewhere, so a constant answer would fail.
    for (const count of counts) expect(count).toBeGreaterThan(0);
  });

  it('explores only when asked: noise changes box actions, keeps them in the box, and ε = 1 is uniform', async () => {
    const rng = createRng(13);
    const box = spreadPolicy('Pendulum-v1', 1, rng);
    const discrete = spreadPolicy('CartPole-v1', 1, rng);
    made.push(box, discrete);
    const boxActor = new JsPolicy(await box.snapshot());
    const observation = [0.3, -0.2, 1];
    const plain = boxActor.act(observation);
    expect(boxActor.act(observation, 0, createRng(1))).toBe(plain);
    const noisy = Array.from({ length: 200 }, () => boxActor.act(observation, 1, rng));
    expect(noisy.every((a) => a >= -2 && a <= 2)).toBe(true);
    expect(new Set(noisy).size).toBeGreaterThan(150);
    const discreteActor = new JsPolicy(await discrete.snapshot());
    const greedy = discreteActor.act([0, 0, 0, 0]);
    const draws = Array.from({ length: 400 }, () => discreteActor.act([0, 0, 0, 0], 1, rng));
    const other = draws.filter((a) => a !== greedy).length;
    expect(other).toBeGreaterThan(150);
    expect(other).toBeLessThan(250);
  });
});
