/**
 * The `uniform` error's states: a box over each env's state space (the region its dynamics can
 * reach), sampled uniformly with uniformly random actions, stepped by the true env. It is the
 * "accuracy everywhere" yardstick that the objective mismatch is measured against.
 */
import { getEnv } from '../envs/index';
import type { EnvId, PhysicalParams } from '../envs/types';
import type { Rng } from '../rng';
import { TransitionRowsBuilder, type TransitionRows } from './transitionRows';

const PI = Math.PI;

/** [low, high] per internal state component, in the order of the env's stateNames. */
export const STATE_BOXES: Readonly<Record<EnvId, readonly (readonly [number, number])[]>> = {
  'Pendulum-v1': [[-PI, PI], [-8, 8]],
  'MountainCarContinuous-v0': [[-1.2, 0.6], [-0.07, 0.07]],
  'MountainCar-v0': [[-1.2, 0.6], [-0.07, 0.07]],
  'CartPole-v1': [[-2.4, 2.4], [-3, 3], [-0.21, 0.21], [-3.5, 3.5]],
  'Acrobot-v1': [[-PI, PI], [-PI, PI], [-4 * PI, 4 * PI], [-9 * PI, 9 * PI]],
};

export function uniformTransitions(envId: EnvId, params: PhysicalParams, count: number, rng: Rng): TransitionRows {
  const definition = getEnv(envId);
  const env = definition.createBatch(count, params);
  env.reset(rng);
  const box = STATE_BOXES[envId];
  const state = new Float64Array(box.length);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < box.length; k++) state[k] = rng.uniform(box[k][0], box[k][1]);
    env.setState(i, state, 'float64');
  }
  const space = definition.spec.actionSpace;
  const actions = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    actions[i] = space.kind === 'box' ? Math.fround(rng.uniform(space.low, space.high)) : rng.int(space.n);
  }
  const d = env.observations.length;
  const before = env.observations.map((column) => Float64Array.from(column));
  env.step(actions);
  const rows = new TransitionRowsBuilder(d);
  const observation = new Float64Array(d);
  const next = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < d; k++) {
      observation[k] = before[k][i];
      next[k] = env.observations[k][i];
    }
    rows.add(observation, actions[i], next);
  }
  return rows.build();
}
