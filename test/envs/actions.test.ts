import { describe, expect, it } from 'vitest';
import { ENV_IDS, getEnv } from '../../src/envs';
import { createRng } from '../../src/rng';
import { randomAction, randomState } from './fixtures';

describe('box actions outside the space are clipped as Gymnasium clips them', () => {
  const pendulum = getEnv('Pendulum-v1');

  it('Pendulum clips u to ±max_torque, in the dynamics and in the reward', () => {
    const rng = createRng(21);
    for (let trial = 0; trial < 50; trial++) {
      const { state } = randomState('Pendulum-v1', rng);
      const beyond = rng.uniform(2.001, 100);
      expect(pendulum.stepFromState(state, beyond)).toEqual(pendulum.stepFromState(state, 2));
      expect(pendulum.stepFromState(state, -beyond)).toEqual(pendulum.stepFromState(state, -2));
      // The bounds act in float32: one float32 ulp above 2 is clipped, 2 itself is not moved.
      const justAbove = Math.fround(2 + 2 ** -22);
      expect(pendulum.stepFromState(state, justAbove)).toEqual(pendulum.stepFromState(state, 2));
      expect(pendulum.stepFromState(state, 1.5)).not.toEqual(pendulum.stepFromState(state, 2));
    }
  });

  it('Pendulum clips to a perturbed max_torque', () => {
    const state = [0.3, 0.1];
    const params = { max_torque: 1 };
    expect(pendulum.stepFromState(state, 2, { params })).toEqual(
      pendulum.stepFromState(state, 1, { params }),
    );
  });

  it('MountainCarContinuous clips the force to ±1 but charges the unclipped action', () => {
    const car = getEnv('MountainCarContinuous-v0');
    const rng = createRng(22);
    for (let trial = 0; trial < 50; trial++) {
      // Far from the goal, so the reward is the action cost alone.
      const state = [Math.fround(rng.uniform(-1.1, -0.2)), Math.fround(rng.uniform(-0.03, 0.03))];
      const a = Math.fround(rng.uniform(1.01, 3));
      const b = Math.fround(rng.uniform(1.01, 3));
      const stepA = car.stepFromState(state, a, { stateDtype: 'float32' });
      const stepB = car.stepFromState(state, b, { stateDtype: 'float32' });
      expect(stepA.nextState).toEqual(stepB.nextState);
      expect(stepA.reward).toBe(-(a * a) * 0.1);
      expect(stepB.reward).toBe(-(b * b) * 0.1);
      const negative = car.stepFromState(state, -a, { stateDtype: 'float32' });
      expect(negative.nextState).toEqual(
        car.stepFromState(state, -b, { stateDtype: 'float32' }).nextState,
      );
      expect(negative.nextState[1]).toBeLessThan(stepA.nextState[1]);
    }
  });
});

describe.each(ENV_IDS)('%s rejects bad actions', (envId) => {
  const definition = getEnv(envId);
  const space = definition.spec.actionSpace;

  function freshBatch() {
    const env = definition.createBatch(4);
    env.reset(createRng(23));
    return env;
  }

  it('throws on the wrong number of actions, naming the env and both counts', () => {
    const env = freshBatch();
    expect(() => env.step(new Float64Array(3))).toThrow(new RegExp(`${envId}.*4 actions.*got 3`));
    expect(() => env.step(new Float64Array(5))).toThrow(/got 5/);
    expect(() => env.step([])).toThrow(envId);
  });

  it('throws on NaN, naming the env and the index, before moving any env', () => {
    const env = freshBatch();
    const before = env.states.map((component) => Array.from(component));
    const actions = Float64Array.from([0, 0, NaN, 0]);
    expect(() => env.step(actions)).toThrow(new RegExp(`${envId}: action at index 2 is NaN`));
    expect(env.states.map((component) => Array.from(component))).toEqual(before);
    expect(Array.from(env.elapsedSteps)).toEqual([0, 0, 0, 0]);
    const zeros = definition.spec.stateNames.map(() => 0);
    expect(() => definition.stepFromState(zeros, NaN)).toThrow(new RegExp(`${envId}.*NaN`));
  });

  if (space.kind === 'discrete') {
    it.each([1.5, -1, space.n, 1e9, Infinity])('throws on discrete action %s', (bad) => {
      const env = freshBatch();
      const before = env.states.map((component) => Array.from(component));
      expect(() => env.step(Float64Array.from([0, bad, 0, 0]))).toThrow(
        new RegExp(`${envId}: action at index 1 is ${bad}, not in Discrete\\(${space.n}\\)`),
      );
      expect(env.states.map((component) => Array.from(component))).toEqual(before);
    });

    it('accepts every valid discrete action', () => {
      const env = freshBatch();
      for (let a = 0; a < space.n; a++)
        expect(() => env.step(new Float64Array(4).fill(a))).not.toThrow();
    });
  } else {
    it('accepts infinite box actions, which Gymnasium clips', () => {
      const env = freshBatch();
      expect(() => env.step(Float64Array.from([Infinity, -Infinity, 0, 0]))).not.toThrow();
      const rng = createRng(24);
      expect(() =>
        env.step(Float64Array.from({ length: 4 }, () => randomAction(definition.spec, rng, 10))),
      ).not.toThrow();
    });
  }
});
