/**
 * Collecting real transitions: one env, stepped by an actor, episodes continued across calls and
 * restarted when they end (terminated or truncated by the time limit).
 */
import type { ReplayBuffer } from './replayBuffer';
import type { BatchedEnv } from '../envs/types';
import type { Rng } from '../rng';

export type StepActor = (observation: ArrayLike<number>) => number;

export interface CollectionResult {
  readonly steps: number;
  readonly episodesFinished: number;
  readonly rewardSum: number;
}

export function collectTransitions(
  env: BatchedEnv,
  buffer: ReplayBuffer,
  steps: number,
  act: StepActor,
  resetRng: Rng,
): CollectionResult {
  if (env.size !== 1) throw new Error('collectTransitions steps one env at a time');
  const d = env.observations.length;
  const observation = new Float64Array(d);
  const next = new Float64Array(d);
  const action = new Float64Array(1);
  let episodesFinished = 0;
  let rewardSum = 0;
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < d; k++) observation[k] = env.observations[k][0];
    action[0] = act(observation);
    env.step(action);
    for (let k = 0; k < d; k++) next[k] = env.observations[k][0];
    buffer.add(observation, action[0], env.rewards[0], next, env.terminated[0] === 1);
    rewardSum += env.rewards[0];
    if (env.terminated[0] === 1 || env.truncated[0] === 1) {
      env.resetAt(0, resetRng);
      episodesFinished++;
    }
  }
  return { steps, episodesFinished, rewardSum };
}

/** Uniform random actions (box values as float32, as Gymnasium's spaces sample them). */
export function randomActor(env: BatchedEnv, rng: Rng): StepActor {
  const space = env.spec.actionSpace;
  return () => (space.kind === 'box' ? Math.fround(rng.uniform(space.low, space.high)) : rng.int(space.n));
}
