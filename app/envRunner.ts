/**
 * One real environment, stepped one transition at a time for the first screen's animation.
 *
 * It holds a batch of size one from src/envs (the real dynamics, the same code the engine uses)
 * and the seeded streams it draws from, and hands the UI plain snapshots: copies, so that React
 * sees a new value on every step while the batch's arrays are reused.
 */
import { getEnv } from '../src/envs';
import type { BatchedEnv, EnvId, EnvSpec, PhysicalParams } from '../src/envs/types';
import { createRng, type Rng } from '../src/rng';

export type EpisodeStatus = 'running' | 'terminated' | 'truncated';

export interface EnvSnapshot {
  readonly envId: EnvId;
  /** Internal state, in `spec.stateNames` order: what the renderers draw. */
  readonly state: readonly number[];
  /** What an agent sees, in `spec.observationNames` order. */
  readonly observation: readonly number[];
  /** The action applied on the last step, or null before the first step of an episode. */
  readonly lastAction: number | null;
  readonly lastReward: number | null;
  readonly episodeReturn: number;
  readonly steps: number;
  /** 1-based index of the episode on screen. */
  readonly episode: number;
  readonly status: EpisodeStatus;
}

export interface EnvRunner {
  readonly spec: EnvSpec;
  readonly params: PhysicalParams;
  /** A stream for drivers that need randomness (the random driver), apart from the env's own. */
  readonly policyRng: Rng;
  snapshot(): EnvSnapshot;
  /** Applies one action; if the episode has already ended, does nothing and returns the snapshot. */
  step(action: number): EnvSnapshot;
  /** Starts the next episode from the env's seeded reset stream. */
  startNextEpisode(): EnvSnapshot;
}

export function createEnvRunner(envId: EnvId, seed: number): EnvRunner {
  const definition = getEnv(envId);
  const env: BatchedEnv = definition.createBatch(1);
  const root = createRng(seed);
  // Named streams: the random driver drawing actions never shifts the reset states.
  const resetRng = root.fork('env');
  const policyRng = root.fork('policy');

  let episode = 1;
  let episodeReturn = 0;
  let steps = 0;
  let lastAction: number | null = null;
  let lastReward: number | null = null;
  let status: EpisodeStatus = 'running';

  env.resetAt(0, resetRng);

  const snapshot = (): EnvSnapshot => ({
    envId,
    state: env.states.map((component) => component[0]),
    observation: env.observations.map((component) => component[0]),
    lastAction,
    lastReward,
    episodeReturn,
    steps,
    episode,
    status,
  });

  const actionBuffer = new Float64Array(1);

  return {
    spec: definition.spec,
    params: env.params,
    policyRng,
    snapshot,
    step(action) {
      if (status !== 'running') return snapshot();
      actionBuffer[0] = action;
      env.step(actionBuffer);
      lastAction = action;
      lastReward = env.rewards[0];
      episodeReturn += lastReward;
      steps += 1;
      // Gymnasium reports both flags when the last allowed step also terminates; termination is
      // the more informative of the two, so it wins.
      if (env.terminated[0] === 1) status = 'terminated';
      else if (env.truncated[0] === 1) status = 'truncated';
      return snapshot();
    },
    startNextEpisode() {
      env.resetAt(0, resetRng);
      episode += 1;
      episodeReturn = 0;
      steps = 0;
      lastAction = null;
      lastReward = null;
      status = 'running';
      return snapshot();
    },
  };
}
