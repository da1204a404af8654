/**
 * The optimisers in imagination raise the imagined return, in a model fitted briefly on random
 * data, horizon 8. The return is judged before and after from the same start states with the same
 * random numbers (common random numbers), so the difference is the policy's doing.
 * - REINFORCE on MountainCarContinuous: from states near the valley floor no plan reaches the goal
 *   in 8 steps, so the reward is −0.1·a² and favours a = 0; the first policy's return is about
 *   −0.17 (a ~ tanh(N(0, 0.6²))). Zero-mean noise on the rewards must slow it, not stop it.
 * - Gradient on Pendulum: the deterministic policy gains through the model's dynamics.
 * With a learning rate of 1e-5 the gains are ~0 and these fail.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayBuffer } from '../../src/data/replayBuffer';
import { getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { WorldModel } from '../../src/models/worldModel';
import { Critic } from '../../src/policies/critic';
import { differentiablePolicy, GradientImprover } from '../../src/policies/gradientImprover';
import {
  discountedSum,
  type ImaginationSettings,
  type PolicyImprover,
} from '../../src/policies/improver';
import { PolicyNetwork } from '../../src/policies/policyNetwork';
import { ReinforceImprover, samplingPolicy } from '../../src/policies/reinforceImprover';
import { createRng } from '../../src/rng';
import { collectRandomTransitions, useBackend } from '../models/helpers';

const HORIZON = 8;
const DISCOUNT = 0.99;
const SEEDS = [1, 2, 3];

function settings(overrides: Partial<ImaginationSettings> = {}): ImaginationSettings {
  return {
    rollouts: 64,
    horizon: HORIZON,
    discount: DISCOUNT,
    lambda: 0.95,
    reward: 'known',
    rewardNoiseStd: 0,
    risk: { kind: 'mean', alpha: 0.3 },
    ...overrides,
  };
}

interface Agent {
  readonly policy: PolicyNetwork;
  readonly critic: Critic;
  dispose(): void;
}

function agent(envId: EnvId, seed: number): Agent {
  const spec = getEnv(envId).spec;
  const d = spec.observationNames.length;
  const shape = {
    observationDim: d,
    width: 16,
    depth: 1,
    inputMean: new Float32Array(d),
    inputScale: new Float32Array(d).fill(1),
  };
  const policy = new PolicyNetwork(
    { ...shape, actionSpace: spec.actionSpace },
    createRng(seed).fork('policy'),
  );
  const critic = new Critic(shape, 3e-3, createRng(seed).fork('critic'));
  return {
    policy,
    critic,
    dispose: () => {
      policy.dispose();
      critic.dispose();
    },
  };
}

interface World {
  readonly envId: EnvId;
  readonly buffer: ReplayBuffer;
  readonly model: WorldModel;
  readonly starts: tf.Tensor2D;
}

async function fittedWorld(envId: EnvId): Promise<World> {
  const rng = createRng(1);
  const buffer = collectRandomTransitions(envId, 8, 50, rng.fork('data'));
  const model = new WorldModel(
    getEnv(envId).spec,
    { members: 1, hiddenLayers: 1, hiddenUnits: 32, activation: 'tanh' },
    rng.fork('model'),
  );
  await model.fit(buffer, 150, { batchSize: 64, learningRate: 3e-3 });
  const starts = tf.tensor2d(buffer.gather(buffer.sample(createRng(99), 128, 'all')).observations, [
    128,
    model.observationDim,
  ]);
  return { envId, buffer, model, starts };
}

/** Mean discounted imagined return of the policy from the fixed starts, with fixed random numbers. */
async function imaginedReturn(
  world: World,
  policy: PolicyNetwork,
  stochastic: boolean,
): Promise<number> {
  const act = stochastic ? samplingPolicy(policy, createRng(5)) : differentiablePolicy(policy);
  const rollout = world.model.rollout(world.starts, act, HORIZON, {
    member: 'mean',
    reward: 'known',
    rng: createRng(6),
  });
  const mean = tf.tidy(() => discountedSum(rollout.rewards, DISCOUNT).mean());
  const value = (await mean.data())[0];
  mean.dispose();
  rollout.dispose();
  return value;
}

/** The gain of the imagined return after `steps` improvement steps, per seed. */
async function gains(
  world: World,
  make: () => PolicyImprover,
  imagination: ImaginationSettings,
  steps: number,
  stochastic: boolean,
) {
  const out: number[] = [];
  for (const seed of SEEDS) {
    const { policy, critic, dispose } = agent(world.envId, seed);
    const improver = make();
    const before = await imaginedReturn(world, policy, stochastic);
    const result = await improver.improve(
      {
        model: world.model,
        policy,
        critic,
        buffer: world.buffer,
        settings: imagination,
        rng: createRng(seed).fork('imagination'),
      },
      steps,
    );
    expect(result.steps).toBe(steps);
    for (const value of [result.policyLoss, result.criticLoss, result.imaginedReturn])
      expect(Number.isFinite(value)).toBe(true);
    out.push((await imaginedReturn(world, policy, stochastic)) - before);
    improver.dispose();
    dispose();
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const show = (xs: number[]) => `gains per seed: ${xs.map((x) => x.toFixed(3)).join(', ')}`;

describe('REINFORCE raises the imagined return, with and without reward noise (MountainCarContinuous-v0)', () => {
  let world: World;
  beforeAll(async () => {
    await useBackend('wasm');
    world = await fittedWorld('MountainCarContinuous-v0');
  });
  afterAll(() => {
    world.model.dispose();
    world.starts.dispose();
  });

  // Measured gains (3 seeds, 25 steps, from −0.173): σ = 0: 0.051, 0.050, 0.051; σ = 0.1: 0.038,
  // 0.044, 0.046; σ = 0.5: 0.026, 0.014, 0.031. The per-step reward is about −0.02, so σ = 0.5 is
  // 25 times its size. With a learning rate of 1e-5 every gain is below 1e-4.
  it.each([
    [0, 0.03],
    [0.1, 0.025],
    [0.5, 0.01],
  ])('σ = %f: the mean gain over 3 seeds exceeds %f', async (noiseStd, threshold) => {
    const gain = await gains(
      world,
      () => new ReinforceImprover(1e-2),
      settings({ rewardNoiseStd: noiseStd }),
      25,
      true,
    );
    expect(mean(gain), show(gain)).toBeGreaterThan(threshold);
  });
});

describe('the gradient improver raises the imagined return (Pendulum-v1)', () => {
  let world: World;
  beforeAll(async () => {
    await useBackend('wasm');
    world = await fittedWorld('Pendulum-v1');
  });
  afterAll(() => {
    world.model.dispose();
    world.starts.dispose();
  });

  // Measured: 2.95, 3.05, 3.19 in 20 steps from about −52 (0.006 with a learning rate of 1e-5).
  it('gains more than 1 on every seed in 20 steps', async () => {
    const gain = await gains(world, () => new GradientImprover(1e-2), settings(), 20, false);
    for (const g of gain) expect(g, show(gain)).toBeGreaterThan(1);
  });

  // Fails today: conditionalValueAtRisk picks the worst members with tf.topk, which has no
  // gradient in tfjs ("gradient function not found for TopK"), so risk = cvar with an ensemble
  // throws in the gradient optimiser.
  it('with CVaR over an ensemble: runs and reports the objective it maximised', async () => {
    const ensemble = new WorldModel(
      getEnv('Pendulum-v1').spec,
      { members: 3, hiddenLayers: 1, hiddenUnits: 16 },
      createRng(7),
    );
    await ensemble.fit(world.buffer, 5, { batchSize: 32 });
    const { policy, critic, dispose } = agent('Pendulum-v1', 4);
    const improver = new GradientImprover(1e-2);
    try {
      const result = await improver.improve(
        {
          model: ensemble,
          policy,
          critic,
          buffer: world.buffer,
          settings: settings({ rollouts: 16, risk: { kind: 'cvar', alpha: 0.3 } }),
          rng: createRng(8),
        },
        3,
      );
      expect(Number.isFinite(result.imaginedReturn)).toBe(true);
      expect(result.imaginedReturn).toBeCloseTo(-result.policyLoss, 6);
    } finally {
      improver.dispose();
      dispose();
      ensemble.dispose();
    }
  });
});

describe('improvers on envs that terminate', () => {
  beforeAll(() => useBackend('wasm'));

  // The termination and the alive mask (tf.greater, tf.equal on a cumulative sum) sit on the path
  // from the policy's variables to the objective, and tfjs has no gradient for Equal or Greater:
  // before 4523511 the gradient optimiser, the loop's default, threw on every env but Pendulum.
  it.each(['CartPole-v1', 'MountainCarContinuous-v0', 'Acrobot-v1', 'MountainCar-v0'] as const)(
    'gradient and REINFORCE each take a step on %s',
    async (envId) => {
      const rng = createRng(3);
      const buffer = collectRandomTransitions(envId, 4, 20, rng.fork('data'));
      const model = new WorldModel(
        getEnv(envId).spec,
        { members: 1, hiddenLayers: 1, hiddenUnits: 8 },
        rng.fork('model'),
      );
      await model.fit(buffer, 2, { batchSize: 16 });
      try {
        for (const make of [() => new ReinforceImprover(1e-2), () => new GradientImprover(1e-2)]) {
          const { policy, critic, dispose } = agent(envId, 1);
          const improver = make();
          try {
            const result = await improver.improve(
              {
                model,
                policy,
                critic,
                buffer,
                settings: settings({ rollouts: 8, horizon: 4 }),
                rng: rng.fork(improver.name),
              },
              1,
            );
            expect(Number.isFinite(result.imaginedReturn), improver.name).toBe(true);
          } finally {
            improver.dispose();
            dispose();
          }
        }
      } finally {
        model.dispose();
      }
    },
  );
});

describe('policy and critic free what they allocate', () => {
  beforeAll(() => useBackend('wasm'));

  // Fail today: `tf.variable(tf.randomNormal(…))` keeps the initial tensor alive next to the
  // variable (it holds a reference to the same data), and dispose() frees only the variable: a
  // PolicyNetwork leaks 2·layers + 1 tensors, a Critic 2·layers, every experiment run.
  it.each([1, 2])(
    'PolicyNetwork (depth %i): dispose() returns the tensor count to where it was',
    (depth) => {
      const before = tf.memory().numTensors;
      const policy = new PolicyNetwork(
        {
          observationDim: 3,
          actionSpace: { kind: 'box', dim: 1, low: -2, high: 2 },
          width: 8,
          depth,
          inputMean: new Float32Array(3),
          inputScale: new Float32Array(3).fill(1),
        },
        createRng(1),
      );
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      policy.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each([1, 2])(
    'Critic (depth %i): dispose() returns the tensor count to where it was',
    (depth) => {
      const before = tf.memory().numTensors;
      const critic = new Critic(
        {
          observationDim: 3,
          width: 8,
          depth,
          inputMean: new Float32Array(3),
          inputScale: new Float32Array(3).fill(1),
        },
        1e-3,
        createRng(1),
      );
      expect(tf.memory().numTensors).toBeGreaterThan(before);
      critic.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each(['gradient', 'reinforce'] as const)(
    '%s: improving leaves no tensor behind once everything is disposed',
    async (kind) => {
      const rng = createRng(2);
      const buffer = collectRandomTransitions('Pendulum-v1', 4, 20, rng.fork('data'));
      const model = new WorldModel(
        getEnv('Pendulum-v1').spec,
        { members: 2, hiddenLayers: 1, hiddenUnits: 8 },
        rng.fork('model'),
      );
      await model.fit(buffer, 2, { batchSize: 16 });
      const imagination = settings({ rollouts: 8, horizon: 3, rewardNoiseStd: 0.5 });
      const { policy, critic, dispose } = agent('Pendulum-v1', 1);
      const improver =
        kind === 'gradient' ? new GradientImprover(1e-2) : new ReinforceImprover(1e-2);
      await improver.improve({ model, policy, critic, buffer, settings: imagination, rng }, 1);
      const afterOne = tf.memory().numTensors;
      await improver.improve({ model, policy, critic, buffer, settings: imagination, rng }, 5);
      // The optimisers' moments exist after the first step; more steps add nothing.
      expect(tf.memory().numTensors).toBe(afterOne);
      improver.dispose();
      dispose();
      model.dispose();
    },
  );
});
