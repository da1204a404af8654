/**
 * The oracle: optimal control on the TRUE environment. It is the near-optimal reference line
 * (`oracleReturn`), and the states it visits are "the regions that matter" for the `strategic`
 * model error. It runs in plain JS on the envs' typed arrays.
 *
 * On most envs it is CEM-MPC with the true batched env as its model: for each real step, copy the
 * real state into P planning envs, score P action sequences by their return over the planning
 * horizon (no reward after a planning env terminates), act with the best first action, and shift
 * the plan. On the Mountain Cars, whose flag lies beyond any such horizon, it acts greedily on
 * the value function of the true dynamics (`gridOracle.ts`).
 */
import { getEnv } from '../envs/index';
import type { BatchedEnv, EnvId, PhysicalParams } from '../envs/types';
import { createRng, type Rng } from '../rng';
import { TransitionRowsBuilder, type TransitionRows } from '../metrics/transitionRows';
import { CemPlanner, type CemSettings } from './cem';
import { hasGridOracle, solveValueGrid, type ValueGrid } from './gridOracle';

export interface StartState {
  readonly state: number[];
  readonly dtype: 'float32' | 'float64';
}

export interface OracleRun {
  readonly meanReturn: number;
  readonly returns: number[];
  /** The step at which each episode terminated (the Mountain Cars: reached the flag), or null. */
  readonly terminatedAfter: (number | null)[];
  /** Every transition the oracle made: the states that matter, for the `strategic` error. */
  readonly transitions: TransitionRows;
}

export type OracleMethod = 'cem' | 'valueGrid';

export interface OracleSettings extends CemSettings {
  readonly episodeLength: number;
  /** Omitted: the value grid where the env has one (the Mountain Cars), CEM-MPC elsewhere. */
  readonly method?: OracleMethod;
}

export function oracleMethodFor(envId: EnvId): OracleMethod {
  return hasGridOracle(envId) ? 'valueGrid' : 'cem';
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
  const chooser =
    (settings.method ?? oracleMethodFor(envId)) === 'valueGrid'
      ? valueGridChooser(real, solveValueGrid(envId, params))
      : cemChooser(real, definition.createBatch(settings.population, params), settings, rng);
  const observationDim = definition.spec.observationNames.length;
  const rows = new TransitionRowsBuilder(observationDim);
  const observation = new Float64Array(observationDim);
  const next = new Float64Array(observationDim);
  const returns: number[] = [];
  const terminatedAfter: (number | null)[] = [];
  const single = new Float64Array(1);
  for (const start of starts) {
    real.setState(0, start.state, start.dtype);
    real.elapsedSteps[0] = 0;
    chooser.startEpisode();
    let episodeReturn = 0;
    let terminatedAt: number | null = null;
    for (let t = 0; t < settings.episodeLength; t++) {
      for (let k = 0; k < observationDim; k++) observation[k] = real.observations[k][0];
      single[0] = chooser.act();
      real.step(single);
      for (let k = 0; k < observationDim; k++) next[k] = real.observations[k][0];
      rows.add(observation, single[0], next);
      episodeReturn += real.rewards[0];
      if (real.terminated[0] === 1) {
        terminatedAt = t + 1;
        break;
      }
    }
    returns.push(episodeReturn);
    terminatedAfter.push(terminatedAt);
  }
  return {
    meanReturn: returns.reduce((a, b) => a + b, 0) / returns.length,
    returns,
    terminatedAfter,
    transitions: rows.build(),
  };
}

/** Picks the action for the real env's current state. */
interface ActionChooser {
  startEpisode(): void;
  act(): number;
}

function cemChooser(
  real: BatchedEnv,
  planning: BatchedEnv,
  settings: OracleSettings,
  rng: Rng,
): ActionChooser {
  const planner = new CemPlanner(real.spec.actionSpace, settings, rng.fork('oracle-cem'));
  const score = trueModelScorer(real, planning, settings);
  return {
    startEpisode: () => planner.resetPlan(),
    act: () => planner.plan(score).action,
  };
}

/** One step ahead on the true env from the exact state, the value grid beyond it. */
function valueGridChooser(real: BatchedEnv, grid: ValueGrid): ActionChooser {
  const { actions } = grid;
  const lookahead = getEnv(real.spec.id).createBatch(actions.length, real.params);
  const actionColumn = Float64Array.from(actions);
  const stateNow = new Float64Array(real.states.length);
  return {
    startEpisode: () => {},
    act: () => {
      for (let k = 0; k < stateNow.length; k++) stateNow[k] = real.states[k][0];
      const dtype = real.stateDtypeAt(0);
      for (let j = 0; j < actions.length; j++) {
        lookahead.setState(j, stateNow, dtype);
        lookahead.elapsedSteps[j] = 0;
      }
      lookahead.step(actionColumn);
      let best = 0;
      let bestValue = -Infinity;
      for (let j = 0; j < actions.length; j++) {
        const continuation =
          lookahead.terminated[j] === 1
            ? 0
            : grid.value(lookahead.states[0][j], lookahead.states[1][j]);
        const value = lookahead.rewards[j] + grid.discount * continuation;
        if (value > bestValue) {
          bestValue = value;
          best = j;
        }
      }
      return actions[best];
    },
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
