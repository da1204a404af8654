import { describe, expect, it } from 'vitest';
import { ENV_IDS, getEnv } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { createRng } from '../../src/rng';

/** Gymnasium's reset distributions (no options): [low, high] per state component. */
const RESET_BOXES: Record<EnvId, ReadonlyArray<readonly [number, number]>> = {
  'Pendulum-v1': [
    [-Math.PI, Math.PI],
    [-1, 1],
  ],
  'MountainCarContinuous-v0': [
    [-0.6, -0.4],
    [0, 0],
  ],
  'CartPole-v1': Array(4).fill([-0.05, 0.05]),
  'Acrobot-v1': Array(4).fill([-0.1, 0.1]),
  'MountainCar-v0': [
    [-0.6, -0.4],
    [0, 0],
  ],
};

describe.each(ENV_IDS)('%s lifecycle', (envId) => {
  const definition = getEnv(envId);
  const { spec } = definition;
  const neutralAction = spec.actionSpace.kind === 'box' ? 0 : 0;

  it("resets into the whole of Gymnasium's reset box, and nowhere else", () => {
    const size = 4000;
    const env = definition.createBatch(size);
    env.reset(createRng(5).fork(envId));
    RESET_BOXES[envId].forEach(([low, high], k) => {
      const values = Array.from(env.states[k]);
      const min = Math.min(...values);
      const max = Math.max(...values);
      expect(min, spec.stateNames[k]).toBeGreaterThanOrEqual(
        Math.fround(low) === low ? low : low - 1e-9,
      );
      expect(max, spec.stateNames[k]).toBeLessThanOrEqual(high + 1e-9);
      // Spread over the box, not stuck in a corner of it.
      if (high > low) expect(max - min).toBeGreaterThan(0.95 * (high - low));
    });
    for (let i = 0; i < size; i++) {
      const state = env.states.map((component) => component[i]);
      expect(env.observations.map((component) => component[i])).toEqual(definition.observe(state));
    }
    expect(Array.from(env.elapsedSteps).every((steps) => steps === 0)).toBe(true);
  });

  it('draws the same reset states from the same seed, and different ones from another', () => {
    const draw = (seed: number) => {
      const env = definition.createBatch(16);
      env.reset(createRng(seed).fork(envId));
      return env.states.map((component) => Array.from(component));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
  });

  it(`truncates exactly when the episode reaches ${spec.maxEpisodeSteps} steps`, () => {
    const env = definition.createBatch(2);
    const rng = createRng(6);
    env.reset(rng);
    const actions = new Float64Array(2).fill(neutralAction);
    for (let step = 1; step < spec.maxEpisodeSteps; step++) {
      env.step(actions);
      expect(env.truncated[0], `step ${step}`).toBe(0);
    }
    expect(env.elapsedSteps[0]).toBe(spec.maxEpisodeSteps - 1);
    env.step(actions);
    expect(env.elapsedSteps[0]).toBe(spec.maxEpisodeSteps);
    expect(Array.from(env.truncated)).toEqual([1, 1]);

    env.resetAt(1, rng);
    expect(env.elapsedSteps[1]).toBe(0);
    expect(env.truncated[1]).toBe(0);
    env.step(actions);
    expect(Array.from(env.elapsedSteps)).toEqual([spec.maxEpisodeSteps + 1, 1]);
    expect(Array.from(env.truncated)).toEqual([1, 0]);
  });

  it('keeps the elapsed step count when a state is set', () => {
    const env = definition.createBatch(1);
    env.reset(createRng(7));
    env.step(Float64Array.of(neutralAction));
    env.setState(
      0,
      definition.spec.stateNames.map(() => 0),
    );
    expect(env.elapsedSteps[0]).toBe(1);
  });

  it('rejects a state of the wrong length or with a non-finite component, naming the env', () => {
    const env = definition.createBatch(2);
    const size = spec.stateNames.length;
    expect(() => env.setState(0, new Array(size + 1).fill(0))).toThrow(envId);
    expect(() => env.setState(0, [NaN, ...new Array(size - 1).fill(0)])).toThrow(/finite/);
    expect(() => env.setState(2, new Array(size).fill(0))).toThrow(/index 2/);
  });
});

describe('state dtypes', () => {
  it('Acrobot resets to float32 values and is float64 after a step', () => {
    const acrobot = getEnv('Acrobot-v1');
    const env = acrobot.createBatch(50);
    env.reset(createRng(8));
    for (const component of env.states) {
      for (const value of component) expect(Math.fround(value)).toBe(value);
    }
    const state = env.states.map((component) => component[0]);
    expect(acrobot.stepFromState(state, 1, { stateDtype: 'float32' }).nextStateDtype).toBe(
      'float64',
    );
  });

  it('MountainCarContinuous holds float64 after reset and float32 after every step', () => {
    const car = getEnv('MountainCarContinuous-v0');
    const fromReset = car.stepFromState([-0.5123456789, 0], 0.3, { stateDtype: 'float64' });
    expect(fromReset.nextStateDtype).toBe('float32');
    expect(fromReset.nextState.every((value) => Math.fround(value) === value)).toBe(true);
    // The dtype selects the arithmetic: the same float32-valued states stepped as float64 (first
    // step after reset) and as float32 (any later step) land on different next states ~10% of
    // the time.
    const rng = createRng(3);
    let differing = 0;
    for (let trial = 0; trial < 400; trial++) {
      const state = [Math.fround(rng.uniform(-1.2, 0.5)), Math.fround(rng.uniform(-0.07, 0.07))];
      const action = Math.fround(rng.uniform(-1, 1));
      const asFloat64 = car.stepFromState(state, action, { stateDtype: 'float64' }).nextState;
      const asFloat32 = car.stepFromState(state, action, { stateDtype: 'float32' }).nextState;
      if (asFloat64[0] !== asFloat32[0] || asFloat64[1] !== asFloat32[1]) differing += 1;
    }
    expect(differing).toBeGreaterThan(10);
  });
});

describe('stateDtypeAt (the dtype to copy a state with)', () => {
  it('follows Gymnasium through reset, step and setState', () => {
    const rng = createRng(10);
    const car = getEnv('MountainCarContinuous-v0').createBatch(2);
    car.reset(rng);
    expect([car.stateDtypeAt(0), car.stateDtypeAt(1)]).toEqual(['float64', 'float64']);
    car.step(Float64Array.of(0.5, -0.5));
    expect([car.stateDtypeAt(0), car.stateDtypeAt(1)]).toEqual(['float32', 'float32']);
    car.setState(1, [-0.5, 0], 'float64');
    expect([car.stateDtypeAt(0), car.stateDtypeAt(1)]).toEqual(['float32', 'float64']);

    const acrobot = getEnv('Acrobot-v1').createBatch(1);
    acrobot.reset(rng);
    expect(acrobot.stateDtypeAt(0)).toBe('float32');
    acrobot.step(Float64Array.of(2));
    expect(acrobot.stateDtypeAt(0)).toBe('float64');

    const pendulum = getEnv('Pendulum-v1').createBatch(1);
    pendulum.reset(rng);
    expect(pendulum.stateDtypeAt(0)).toBe('float64');
  });
});

describe('CartPole after termination', () => {
  it('pays 1 on the terminating step, 0 on steps beyond it, and 1 again after a reset', () => {
    const env = getEnv('CartPole-v1').createBatch(1);
    const rng = createRng(9);
    env.setState(0, [0, 0, 0.2, 2]);
    const push = Float64Array.of(1);
    env.step(push);
    expect(env.terminated[0]).toBe(1);
    expect(env.rewards[0]).toBe(1);
    env.step(push);
    expect(env.terminated[0]).toBe(1);
    expect(env.rewards[0]).toBe(0);
    // A reset forgets the termination: the next episode's terminating step pays 1 again.
    env.resetAt(0, rng);
    let steps = 0;
    do {
      env.step(push);
      steps += 1;
    } while (env.terminated[0] === 0 && steps < 500);
    expect(env.terminated[0]).toBe(1);
    expect(env.rewards[0]).toBe(1);
  });
});
