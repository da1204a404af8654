/**
 * The environment contract: Gymnasium's `reset` / `step` / spaces, batched over N copies held as
 * struct-of-arrays `Float64Array`s so that stepping allocates nothing.
 *
 * The agent (model, policy) sees observations; the internal state is what Gymnasium keeps in
 * `env.unwrapped.state` and is what conformance checks. Observations are float32 values held in
 * float64 arrays (`Math.fround` applied), as Gymnasium returns float32 observations.
 */
import type { Rng } from '../rng';

export type EnvId =
  | 'Pendulum-v1'
  | 'MountainCarContinuous-v0'
  | 'CartPole-v1'
  | 'Acrobot-v1'
  | 'MountainCar-v0';

export type ActionSpace =
  | { readonly kind: 'box'; readonly low: number; readonly high: number; readonly dim: 1 }
  | { readonly kind: 'discrete'; readonly n: number };

/** Physical constants of an env (gravity, masses, lengths, forces, dt...), by Gymnasium's names. */
export type PhysicalParams = Readonly<Record<string, number>>;

/** Two observation components spanning the state-space map (DESIGN.md, metrics: `grid`). */
export interface Projection {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Reads the projected coordinates from one observation (may combine components, e.g. atan2). */
  readonly project: (observation: ArrayLike<number>) => readonly [number, number];
}

export interface EnvSpec {
  readonly id: EnvId;
  readonly stateNames: readonly string[];
  readonly observationNames: readonly string[];
  /** Gymnasium's observation_space bounds (±Infinity where unbounded). */
  readonly observationLow: readonly number[];
  readonly observationHigh: readonly number[];
  readonly actionSpace: ActionSpace;
  readonly maxEpisodeSteps: number;
  readonly rewardThreshold: number | null;
  readonly defaultParams: PhysicalParams;
  /** Sensible [min, max] for each physical parameter a user may perturb. */
  readonly paramRanges: Readonly<Record<string, readonly [number, number]>>;
  readonly projection: Projection;
}

/** One step of one env from an explicit state: the pure function conformance replays. */
export interface SingleStep {
  readonly nextState: number[];
  /** Gymnasium's dtype of the internal state after the step ('float32' or 'float64'). */
  readonly nextStateDtype: 'float32' | 'float64';
  readonly nextObservation: number[];
  readonly reward: number;
  readonly terminated: boolean;
}

export interface BatchedEnv {
  readonly spec: EnvSpec;
  readonly params: PhysicalParams;
  readonly size: number;
  /** states[k][i]: state component k of env i. */
  readonly states: Float64Array[];
  /** observations[k][i]: observation component k of env i (float32 values). */
  readonly observations: Float64Array[];
  /** Written by `step`: reward, terminated (0/1), truncated by the time limit (0/1), steps taken. */
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly elapsedSteps: Int32Array;
  /** Resets every env from Gymnasium's reset distribution, drawn from `rng`. */
  reset(rng: Rng): void;
  /** Resets env i alone. */
  resetAt(index: number, rng: Rng): void;
  /** Sets env i to an explicit internal state (for imagined-vs-real comparisons and tests). */
  setState(index: number, state: ArrayLike<number>, dtype?: 'float32' | 'float64'): void;
  /** The dtype Gymnasium would hold env i's internal state in (to copy a state exactly). */
  stateDtypeAt(index: number): 'float32' | 'float64';
  /**
   * Steps every env once. `actions` holds one action per env (box: the 1-D value, clipped to the
   * space exactly as Gymnasium does; discrete: the integer index). A NaN or out-of-space discrete
   * action throws an error naming the env and the problem.
   */
  step(actions: ArrayLike<number>): void;
}

export interface EnvDefinition {
  readonly spec: EnvSpec;
  createBatch(size: number, params?: Partial<PhysicalParams>): BatchedEnv;
  stepFromState(
    state: ArrayLike<number>,
    action: number,
    options?: { stateDtype?: 'float32' | 'float64'; params?: Partial<PhysicalParams> },
  ): SingleStep;
  /** The float32 observation of an internal state. */
  observe(state: ArrayLike<number>, params?: Partial<PhysicalParams>): number[];
}
