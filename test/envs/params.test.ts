import { describe, expect, it } from 'vitest';
import { ENV_IDS, getEnv } from '../../src/envs';
import { createRng } from '../../src/rng';
import { randomAction, randomState } from './fixtures';

describe.each(ENV_IDS)('%s physical parameters', (envId) => {
  const definition = getEnv(envId);
  const { spec } = definition;

  it('offers ranges only for its own parameters, each containing the default', () => {
    const ranges = Object.entries(spec.paramRanges);
    expect(ranges.length).toBeGreaterThan(0);
    for (const [name, [min, max]] of ranges) {
      expect(Object.keys(spec.defaultParams)).toContain(name);
      expect(min).toBeLessThan(max);
      expect(spec.defaultParams[name]).toBeGreaterThanOrEqual(min);
      expect(spec.defaultParams[name]).toBeLessThanOrEqual(max);
    }
  });

  // A limit such as max_speed only matters when lowered (states never exceed the default), so
  // a parameter passes if either end of its range changes some step.
  it.each(Object.keys(spec.paramRanges))(
    'moving %s within its range changes the dynamics',
    (name) => {
      const rng = createRng(31).fork(`${envId}-${name}`);
      let changed = 0;
      for (let trial = 0; trial < 40; trial++) {
        const { state, dtype } = randomState(envId, rng);
        const action = randomAction(spec, rng);
        const base = JSON.stringify(definition.stepFromState(state, action, { stateDtype: dtype }));
        for (const value of spec.paramRanges[name]) {
          const params = { [name]: value };
          const perturbed = definition.stepFromState(state, action, { stateDtype: dtype, params });
          if (JSON.stringify(perturbed) !== base) changed += 1;
        }
      }
      expect(changed).toBeGreaterThan(0);
    },
  );

  it('keeps its defaults when given no params, empty params or undefined values', () => {
    expect(definition.createBatch(1).params).toEqual(spec.defaultParams);
    expect(definition.createBatch(1, {}).params).toEqual(spec.defaultParams);
    const [first] = Object.keys(spec.defaultParams);
    expect(definition.createBatch(1, { [first]: undefined }).params).toEqual(spec.defaultParams);
  });

  it('throws on an unknown parameter, naming the env, the name and the known names', () => {
    expect(() => definition.createBatch(1, { warp_drive: 1 })).toThrow(
      new RegExp(`${envId}: unknown physical parameter "warp_drive" \\(known: `),
    );
    const state = spec.stateNames.map(() => 0);
    expect(() => definition.stepFromState(state, 0, { params: { warp_drive: 1 } })).toThrow(
      /warp_drive/,
    );
  });

  it.each([NaN, Infinity, -Infinity])('throws on a non-finite value (%s)', (bad) => {
    const [first] = Object.keys(spec.paramRanges);
    expect(() => definition.createBatch(1, { [first]: bad })).toThrow(
      new RegExp(`${envId}: parameter "${first}" must be a finite number`),
    );
  });
});

describe('parameters act in the direction physics says', () => {
  const fallAfter = (g: number, steps: number) => {
    const pendulum = getEnv('Pendulum-v1');
    let state = [0.3, 0];
    for (let step = 0; step < steps; step++)
      state = pendulum.stepFromState(state, 0, { params: { g } }).nextState;
    return Math.abs(state[0] - 0.3);
  };

  it('a pendulum falls from near the top faster under higher gravity', () => {
    expect(fallAfter(15, 10)).toBeGreaterThan(fallAfter(10, 10));
    expect(fallAfter(10, 10)).toBeGreaterThan(fallAfter(5, 10));
  });

  it('a cart-pole with a heavier-gravity pole fails sooner', () => {
    const cartPole = getEnv('CartPole-v1');
    const stepsToFall = (gravity: number) => {
      let state = [0, 0, 0.05, 0];
      for (let step = 1; step <= 500; step++) {
        const next = cartPole.stepFromState(state, step % 2, { params: { gravity } });
        if (next.terminated) return step;
        state = next.nextState;
      }
      return Infinity;
    };
    expect(stepsToFall(19.6)).toBeLessThan(stepsToFall(9.8));
  });

  it('a mountain car with a stronger engine gains more speed per push', () => {
    const car = getEnv('MountainCar-v0');
    const speedGain = (force: number) =>
      car.stepFromState([-0.5, 0], 2, { params: { force } }).nextState[1];
    expect(speedGain(0.002)).toBeGreaterThan(speedGain(0.001));
  });

  it('rejects derived CartPole parameters and non-positive masses', () => {
    const cartPole = getEnv('CartPole-v1');
    expect(() => cartPole.createBatch(1, { total_mass: 2 })).toThrow(
      /CartPole-v1: parameter "total_mass" is derived/,
    );
    expect(() => cartPole.createBatch(1, { masspole: 0 })).toThrow(/must be positive/);
    const perturbed = cartPole.createBatch(1, { masspole: 0.2 });
    expect(perturbed.params.masspole).toBe(0.2);
  });

  it('freezes the resolved parameters', () => {
    const env = getEnv('Acrobot-v1').createBatch(1, { g: 3.7 });
    expect(env.params.g).toBe(3.7);
    expect(Object.isFrozen(env.params)).toBe(true);
  });
});
