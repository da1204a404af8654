import { describe, expect, it } from 'vitest';
import { ENV_IDS, getEnv, isEnvId } from '../../src/envs';
import type { EnvId } from '../../src/envs/types';
import { createRng } from '../../src/rng';

describe('env registry', () => {
  it('lists the five classic-control ids', () => {
    expect([...ENV_IDS].sort()).toEqual([
      'Acrobot-v1',
      'CartPole-v1',
      'MountainCar-v0',
      'MountainCarContinuous-v0',
      'Pendulum-v1',
    ]);
    for (const id of ENV_IDS) expect(getEnv(id).spec.id).toBe(id);
  });

  it('tells env ids from anything else', () => {
    expect(isEnvId('CartPole-v1')).toBe(true);
    expect(isEnvId('CartPole-v0')).toBe(false);
    expect(isEnvId('toString')).toBe(false);
    expect(isEnvId(3)).toBe(false);
  });

  it('throws on an unknown id, naming it and the known ones', () => {
    expect(() => getEnv('LunarLander-v3' as EnvId)).toThrow(
      /Unknown env id "LunarLander-v3" \(known: Pendulum-v1, /,
    );
  });

  it.each(ENV_IDS)('%s has a consistent spec and a projection inside its ranges', (id) => {
    const { spec, createBatch } = getEnv(id);
    expect(spec.observationLow).toHaveLength(spec.observationNames.length);
    expect(spec.observationHigh).toHaveLength(spec.observationNames.length);
    const env = createBatch(500);
    env.reset(createRng(2));
    const [xMin, xMax] = spec.projection.xRange;
    const [yMin, yMax] = spec.projection.yRange;
    for (let i = 0; i < env.size; i++) {
      const observation = env.observations.map((component) => component[i]);
      observation.forEach((value, k) => {
        expect(value).toBeGreaterThanOrEqual(spec.observationLow[k]);
        expect(value).toBeLessThanOrEqual(spec.observationHigh[k]);
      });
      const [x, y] = spec.projection.project(observation);
      expect(x).toBeGreaterThanOrEqual(xMin);
      expect(x).toBeLessThanOrEqual(xMax);
      expect(y).toBeGreaterThanOrEqual(yMin);
      expect(y).toBeLessThanOrEqual(yMax);
    }
  });

  it('projects angles recovered from (cos, sin) observations', () => {
    const pendulum = getEnv('Pendulum-v1');
    const [theta, thetaDot] = pendulum.spec.projection.project(
      pendulum.observe([2.5 + 2 * Math.PI, -3]),
    );
    expect(theta).toBeCloseTo(2.5, 6);
    expect(thetaDot).toBe(-3);
    const acrobot = getEnv('Acrobot-v1');
    const [theta1, theta2] = acrobot.spec.projection.project(acrobot.observe([-1, 2, 0, 0]));
    expect(theta1).toBeCloseTo(-1, 6);
    expect(theta2).toBeCloseTo(2, 6);
  });
});
