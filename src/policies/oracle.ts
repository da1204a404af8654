/**
 * The oracle: CEM-MPC planning with the TRUE batched environment as its model. It is the
 * near-optimal reference line (`oracleReturn`), and the states it visits are "the regions that
 * matter" for the `strategic` model error. It runs in plain JS on the envs' typed arrays.
 *
 * For each real step: copy the real state into P planning envs, score P action sequences by their
 * return over the planning horizon (no reward after a planning env terminates), act with the best
 * first action, and shift the plan.
 */
import { getEnv } from '../envs/index';
import type { BatchedEnv, EnvId, PhysicalParams } from '../envs/types';
import { createRng, type Rng } from '../rng';
import { TransitionRowsBuilder, type TransitionRows } from '../metrics/transitionRows';
import { CemPlanner, type CemSettings } from './cem';

export interface StartState {
  readonly state: number[];
  readonly dtype: 'float32' | 'float64';
}

export interface OracleRun {
  readonly meanReturn: number;
  readonly returns: number[];
  /** Every transition the oracle made: the states that matter, for the `strategic` error. */
  readonly transitions: TransitionRows;
}

export interface OracleSettings extends CemSettings {
  readonly episodeLength: number;
}

export const ORACLE_SETTINGS: Omit<OracleSettings, 'episodeLength'> = {
  population: 200,
  elites: 20,
  iterations: 4,
  horizon: 30,
  smoothing: 0.1,
};

/**
 * What an oracle's run depends on, all of it: a world (env and physics), the start states, the
 * episode length and the seed its planner draws from. A run can be cached by its key, and made
 * anywhere (the app makes it in a worker of its own, beside the engine's).
 */
export interface OracleRequest {
  readonly envId: EnvId;
  readonly params: PhysicalParams;
  readonly starts: readonly StartState[];
  readonly episodeLength: number;
  readonly seed: number;
}

export function oracleKey(request: OracleRequest): string {
  return JSON.stringify([request.envId, request.params, request.starts, request.episodeLength, request.seed]);
}

export function runOracleFor(request: OracleRequest): OracleRun {
  return runOracle(
    request.envId,
    request.params,
    request.starts,
    { ...ORACLE_SETTINGS, episodeLength: request.episodeLength },
    createRng(request.seed).fork('oracle'),
  );
}

/** Runs the oracle from each start state for `episodeLength` steps or until termination. */
export function runOracle(
  envId: EnvId,
  params: PhysicalParams,
  starts: readonly StartState[],
  settings: OracleSettings,
  rng: Rng,
): OracleRun {
  const definition = getEnv(envId);
  const real = definition.createBatch(1, params);
  const planning = definition.createBatch(settings.population, params);
  const planner = new CemPlanner(definition.spec.actionSpace, settings, rng.fork('oracle-cem'));
  const observationDim = definition.spec.observationNames.length;
  const rows = new TransitionRowsBuilder(observationDim);
  const observation = new Float64Array(observationDim);
  const next = new Float64Array(observationDim);
  const returns: number[] = [];
  const score = trueModelScorer(real, planning, settings);
  const single = new Float64Array(1);
  for (const start of starts) {
    real.setState(0, start.state, start.dtype);
    real.elapsedSteps[0] = 0;
    planner.resetPlan();
    let episodeReturn = 0;
    for (let t = 0; t < settings.episodeLength; t++) {
      for (let k = 0; k < observationDim; k++) observation[k] = real.observations[k][0];
      const { action } = planner.plan(score);
      single[0] = action;
      real.step(single);
      for (let k = 0; k < observationDim; k++) next[k] = real.observations[k][0];
      rows.add(observation, action, next);
      episodeReturn += real.rewards[0];
      if (real.terminated[0] === 1) break;
    }
    returns.push(episodeReturn);
  }
  return {
    meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
    returns,
    transitions: rows.build(),
  };
}

function trueModelScorer(real: BatchedEnv, planning: BatchedEnv, settings: OracleSettings) {
  const { population, horizon } = settings;
  const alive = new Uint8Array(population);
  const actionColumn = new Float64Array(population);
  const stateNow = new Float64Array(real.states.length);
  return (sequences: Float64Array, returns: Float64Array): void => {
    for (let k = 0; k < stateNow.length; k++) stateNow[k] = real.states[k][0];
    const dtype = real.stateDtypeAt(0);
    for (let p = 0; p < population; p++) {
      planning.setState(p, stateNow, dtype);
      // The planner must not meet a time limit the real episode would not: start copies at 0.
      planning.elapsedSteps[p] = 0;
    }
    returns.fill(0);
    alive.fill(1);
    for (let t = 0; t < horizon; t++) {
      for (let p = 0; p < population; p++) actionColumn[p] = sequences[p * horizon + t];
      planning.step(actionColumn);
      for (let p = 0; p < population; p++) {
        if (alive[p] === 0) continue;
        returns[p] += planning.rewards[p];
        if (planning.terminated[p] === 1) alive[p] = 0;
      }
    }
  };
}
