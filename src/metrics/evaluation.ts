/**
 * Judging a policy: `realReturn` runs it in the real env from fixed start states; `simReturn`
 * runs the same policy (its deterministic action) closed-loop inside the model from the same
 * start observations for the same episode length. Both are undiscounted means over the
 * evaluation episodes (DESIGN.md).
 */
import * as tf from '@tensorflow/tfjs';
import { getEnv } from '../envs/index';
import type { EnvDefinition, EnvId, PhysicalParams } from '../envs/types';
import type { Rng } from '../rng';
import type { WorldModel } from '../models/worldModel';
import { imagineForward } from '../imagination/forwardRollout';
import type { ImaginedRollout } from '../imagination/rollout';
import type { PolicyNetwork } from '../policies/policyNetwork';
import type { StartState } from '../policies/oracle';
import { TransitionRowsBuilder, type TransitionRows } from './transitionRows';

export type Actor = (observation: ArrayLike<number>) => number;

export interface RealEvaluation {
  readonly returns: number[];
  readonly meanReturn: number;
  readonly transitions: TransitionRows;
  /** Observations of the first episode, row-major: its start, then after every step. */
  readonly firstEpisode: Float64Array;
  readonly firstEpisodeActions: number[];
}

export function evaluateReal(
  envId: EnvId,
  params: PhysicalParams,
  starts: readonly StartState[],
  episodeLength: number,
  act: Actor,
): RealEvaluation {
  const env = getEnv(envId).createBatch(1, params);
  const d = env.observations.length;
  const rows = new TransitionRowsBuilder(d);
  const observation = new Float64Array(d);
  const next = new Float64Array(d);
  const action = new Float64Array(1);
  const returns: number[] = [];
  const firstEpisode: number[] = [];
  const firstEpisodeActions: number[] = [];
  starts.forEach((start, episode) => {
    env.setState(0, start.state, start.dtype);
    env.elapsedSteps[0] = 0;
    let total = 0;
    for (let t = 0; t < episodeLength; t++) {
      for (let k = 0; k < d; k++) observation[k] = env.observations[k][0];
      if (episode === 0) firstEpisode.push(...observation);
      action[0] = act(observation);
      env.step(action);
      for (let k = 0; k < d; k++) next[k] = env.observations[k][0];
      if (episode === 0) firstEpisodeActions.push(action[0]);
      if (episode === 0 && (env.terminated[0] === 1 || t === episodeLength - 1)) firstEpisode.push(...next);
      rows.add(observation, action[0], next);
      total += env.rewards[0];
      if (env.terminated[0] === 1) break;
    }
    returns.push(total);
  });
  return {
    returns,
    meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
    transitions: rows.build(),
    firstEpisode: Float64Array.from(firstEpisode),
    firstEpisodeActions,
  };
}

export interface SimEvaluation {
  readonly returns: number[];
  readonly meanReturn: number;
  /** Every imagined observation the policy visited, row-major, alive steps only. */
  readonly visited: Float64Array;
  /** Observations of the first imagined episode, row-major (its start included). */
  readonly firstEpisode: Float64Array;
}

export async function evaluateSim(
  model: WorldModel,
  startObservations: Float32Array,
  episodeLength: number,
  policy: PolicyNetwork,
  reward: 'known' | 'learned',
): Promise<SimEvaluation> {
  const d = model.observationDim;
  const K = startObservations.length / d;
  const starts = tf.tensor2d(startObservations, [K, d]);
  let rollout: ImaginedRollout;
  try {
    rollout = await imagineForward(model, starts, policy, episodeLength, { member: 'random', reward });
  } finally {
    // Also when a failing backend throws mid-rollout: the loop survives that and must not leak.
    starts.dispose();
  }
  let read: [tf.TypedArray, tf.TypedArray, tf.TypedArray];
  try {
    read = await Promise.all([rollout.rewards.data(), rollout.alive.data(), rollout.observations.data()]);
  } finally {
    rollout.dispose();
  }
  const [rewards, alive, observations] = read;
  const H = episodeLength;
  const returns = new Array<number>(K).fill(0);
  const visited: number[] = [];
  const firstEpisode: number[] = [];
  for (let t = 0; t < H; t++) {
    for (let b = 0; b < K; b++) {
      if (alive[t * K + b] === 0) continue;
      returns[b] += rewards[t * K + b];
      for (let k = 0; k < d; k++) visited.push(observations[(t * K + b) * d + k]);
      if (b === 0) for (let k = 0; k < d; k++) firstEpisode.push(observations[(t * K) * d + k]);
    }
  }
  return {
    returns,
    meanReturn: returns.reduce((a, b) => a + b, 0) / K,
    visited: Float64Array.from(visited),
    firstEpisode: Float64Array.from(firstEpisode),
  };
}

/** The fixed evaluation start states: draws of the env's own reset distribution. */
export function drawStartStates(
  definition: EnvDefinition,
  params: PhysicalParams,
  count: number,
  rng: Rng,
): StartState[] {
  const env = definition.createBatch(count, params);
  env.reset(rng);
  return Array.from({ length: count }, (_, i) => ({
    state: env.states.map((column) => column[i]),
    dtype: env.stateDtypeAt(i),
  }));
}
