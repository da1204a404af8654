/**
 * What every batched env shares: the struct-of-arrays storage, Gymnasium's TimeLimit wrapper,
 * action validation and reset bookkeeping. Each env supplies only its physics (`advance`), its
 * reset distribution and its observation.
 */
import type { Rng } from '../rng';
import { validateActions } from './actions';
import type { BatchedEnv, EnvSpec, PhysicalParams } from './types';

export type StateDtype = 'float32' | 'float64';

export abstract class BatchedEnvBase implements BatchedEnv {
  readonly states: Float64Array[];
  readonly observations: Float64Array[];
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  readonly elapsedSteps: Int32Array;

  constructor(
    readonly spec: EnvSpec,
    readonly params: PhysicalParams,
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 1) {
      throw new Error(`${spec.id}: batch size must be a positive integer, got ${size}`);
    }
    this.states = spec.stateNames.map(() => new Float64Array(size));
    this.observations = spec.observationNames.map(() => new Float64Array(size));
    this.rewards = new Float64Array(size);
    this.terminated = new Uint8Array(size);
    this.truncated = new Uint8Array(size);
    this.elapsedSteps = new Int32Array(size);
  }

  reset(rng: Rng): void {
    for (let i = 0; i < this.size; i++) this.resetAt(i, rng);
  }

  resetAt(index: number, rng: Rng): void {
    this.checkIndex(index);
    this.sampleInitialState(index, rng);
    this.elapsedSteps[index] = 0;
    this.rewards[index] = 0;
    this.terminated[index] = 0;
    this.truncated[index] = 0;
    this.writeObservation(index);
  }

  /**
   * A float32 state is rounded with Math.fround. Where Gymnasium itself holds float32 state
   * (MountainCarContinuous after a step, Acrobot after reset) the dtype also selects the float32
   * arithmetic; elsewhere Gymnasium's state is always float64, so the rounded values evolve as such.
   * The elapsed step count is left alone: this moves the env, it does not start an episode.
   */
  setState(index: number, state: ArrayLike<number>, dtype: StateDtype = 'float64'): void {
    this.checkIndex(index);
    const components = this.states.length;
    if (state === null || typeof state !== 'object' || state.length !== components) {
      const got = state === null || typeof state !== 'object' ? String(state) : state.length;
      throw new Error(
        `${this.spec.id}: a state has ${components} components (${this.spec.stateNames.join(', ')}), got ${got}`,
      );
    }
    if (dtype !== 'float32' && dtype !== 'float64') {
      throw new Error(
        `${this.spec.id}: state dtype must be 'float32' or 'float64', got ${String(dtype)}`,
      );
    }
    for (let k = 0; k < components; k++) {
      const value = state[k];
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new Error(
          `${this.spec.id}: state component ${this.spec.stateNames[k]} must be finite, got ${String(value)}`,
        );
      }
      this.states[k][index] = dtype === 'float32' ? Math.fround(value) : value;
    }
    this.onStateSet(index, dtype);
    this.writeObservation(index);
  }

  step(actions: ArrayLike<number>): void {
    validateActions(this.spec, actions, this.size);
    this.advance(actions);
    // Gymnasium's TimeLimit wrapper: truncated once the episode has taken maxEpisodeSteps steps.
    const elapsedSteps = this.elapsedSteps;
    const truncated = this.truncated;
    const maxEpisodeSteps = this.spec.maxEpisodeSteps;
    for (let i = 0; i < this.size; i++) {
      const elapsed = elapsedSteps[i] + 1;
      elapsedSteps[i] = elapsed;
      truncated[i] = elapsed >= maxEpisodeSteps ? 1 : 0;
    }
  }

  /** The dtype Gymnasium would hold env i's internal state in. */
  stateDtypeAt(_index: number): StateDtype {
    return 'float64';
  }

  /** Draws env i's initial state from Gymnasium's reset distribution. */
  protected abstract sampleInitialState(index: number, rng: Rng): void;
  /** Writes env i's float32 observation from its state. */
  protected abstract writeObservation(index: number): void;
  /** One Gymnasium step of every env on validated actions: states, observations, rewards, terminated. */
  protected abstract advance(actions: ArrayLike<number>): void;
  /** Hook for per-env bookkeeping (dtype flags, post-termination counters) when a state is set. */
  protected onStateSet(_index: number, _dtype: StateDtype): void {}

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new Error(`${this.spec.id}: env index ${index} is outside the batch of ${this.size}`);
    }
  }
}
