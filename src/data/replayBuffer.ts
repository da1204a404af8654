/**
 * A bounded ring buffer of real transitions, row-major in typed arrays, with a stable
 * train/holdout split and minibatch sampling from the seeded RNG.
 *
 * The split is decided once per transition, by hashing its insertion serial number with a seed,
 * so a transition never moves between train and holdout as the buffer grows or wraps, and a
 * restored buffer keeps the same split without any RNG state.
 */
import type { Rng } from '../rng';

export type Split = 'train' | 'holdout' | 'all';

export interface ReplayBufferOptions {
  readonly capacity: number;
  readonly observationDim: number;
  /** 1 for every env here: the box action's value, or the discrete action's index. */
  readonly actionDim: number;
  /** Fraction of transitions held out from training (for the holdout loss). */
  readonly holdoutFraction?: number;
  /** Salts the split hash; take it from an RNG stream (`rng.seed32()`). */
  readonly splitSeed?: number;
}

/** Rows gathered from the buffer, row-major: `observations[i * observationDim + k]`. */
export interface TransitionBatch {
  readonly count: number;
  readonly observations: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float64Array;
  readonly nextObservations: Float32Array;
  readonly terminated: Uint8Array;
}

export class ReplayBuffer {
  readonly capacity: number;
  readonly observationDim: number;
  readonly actionDim: number;
  readonly holdoutFraction: number;
  readonly splitSeed: number;
  private readonly observations: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float64Array;
  private readonly nextObservations: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly holdout: Uint8Array;
  private added = 0;

  constructor(options: ReplayBufferOptions) {
    const { capacity, observationDim, actionDim } = options;
    for (const [name, value] of Object.entries({ capacity, observationDim, actionDim })) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new Error(`ReplayBuffer: ${name} must be a positive integer, got ${value}`);
      }
    }
    const holdoutFraction = options.holdoutFraction ?? 0.1;
    if (!(holdoutFraction >= 0 && holdoutFraction < 1)) {
      throw new Error(`ReplayBuffer: holdoutFraction must be in [0, 1), got ${holdoutFraction}`);
    }
    this.capacity = capacity;
    this.observationDim = observationDim;
    this.actionDim = actionDim;
    this.holdoutFraction = holdoutFraction;
    this.splitSeed = (options.splitSeed ?? 0) >>> 0;
    this.observations = new Float32Array(capacity * observationDim);
    this.actions = new Float32Array(capacity * actionDim);
    this.rewards = new Float64Array(capacity);
    this.nextObservations = new Float32Array(capacity * observationDim);
    this.terminated = new Uint8Array(capacity);
    this.holdout = new Uint8Array(capacity);
  }

  /** Number of transitions held (at most `capacity`). */
  get size(): number {
    return Math.min(this.added, this.capacity);
  }

  /** Number of transitions ever added (the next one's serial number). */
  get totalAdded(): number {
    return this.added;
  }

  add(
    observation: ArrayLike<number>,
    action: ArrayLike<number> | number,
    reward: number,
    nextObservation: ArrayLike<number>,
    terminated: boolean,
  ): void {
    const slot = this.nextSlot();
    const { observationDim: d, actionDim: a } = this;
    for (let k = 0; k < d; k++) {
      this.observations[slot * d + k] = observation[k];
      this.nextObservations[slot * d + k] = nextObservation[k];
    }
    for (let k = 0; k < a; k++) {
      this.actions[slot * a + k] = typeof action === 'number' ? action : action[k];
    }
    this.rewards[slot] = reward;
    this.terminated[slot] = terminated ? 1 : 0;
  }

  /**
   * Adds one transition per env from struct-of-arrays columns, as a `BatchedEnv` holds them:
   * `observations[k][i]` is component k of env i before the step, `nextObservations` after it.
   */
  addBatch(
    observations: readonly ArrayLike<number>[],
    actions: ArrayLike<number>,
    rewards: ArrayLike<number>,
    nextObservations: readonly ArrayLike<number>[],
    terminated: ArrayLike<number>,
  ): void {
    if (this.actionDim !== 1) throw new Error('ReplayBuffer.addBatch: needs actionDim 1');
    if (observations.length !== this.observationDim || nextObservations.length !== this.observationDim) {
      throw new Error(`ReplayBuffer.addBatch: expected ${this.observationDim} observation columns`);
    }
    const d = this.observationDim;
    for (let i = 0; i < actions.length; i++) {
      const slot = this.nextSlot();
      for (let k = 0; k < d; k++) {
        this.observations[slot * d + k] = observations[k][i];
        this.nextObservations[slot * d + k] = nextObservations[k][i];
      }
      this.actions[slot] = actions[i];
      this.rewards[slot] = rewards[i];
      this.terminated[slot] = terminated[i] ? 1 : 0;
    }
  }

  /** The slots of one split, in slot order. */
  slots(split: Split): Int32Array {
    const size = this.size;
    const wanted = split === 'holdout' ? 1 : 0;
    let count = 0;
    for (let s = 0; s < size; s++) if (split === 'all' || this.holdout[s] === wanted) count++;
    const out = new Int32Array(count);
    let j = 0;
    for (let s = 0; s < size; s++) if (split === 'all' || this.holdout[s] === wanted) out[j++] = s;
    return out;
  }

  /** `count` slots drawn uniformly with replacement from a split. */
  sample(rng: Rng, count: number, split: Split = 'train'): Int32Array {
    const pool = this.slots(split);
    if (pool.length === 0) throw new Error(`ReplayBuffer.sample: the ${split} split is empty`);
    const out = new Int32Array(count);
    for (let i = 0; i < count; i++) out[i] = pool[rng.int(pool.length)];
    return out;
  }

  /** Copies the given slots out, in the given order. */
  gather(slots: ArrayLike<number>): TransitionBatch {
    const n = slots.length;
    const { observationDim: d, actionDim: a } = this;
    const batch = {
      count: n,
      observations: new Float32Array(n * d),
      actions: new Float32Array(n * a),
      rewards: new Float64Array(n),
      nextObservations: new Float32Array(n * d),
      terminated: new Uint8Array(n),
    };
    for (let i = 0; i < n; i++) {
      const s = slots[i];
      if (!(s >= 0 && s < this.size)) throw new Error(`ReplayBuffer.gather: no transition in slot ${s}`);
      batch.observations.set(this.observations.subarray(s * d, s * d + d), i * d);
      batch.nextObservations.set(this.nextObservations.subarray(s * d, s * d + d), i * d);
      batch.actions.set(this.actions.subarray(s * a, s * a + a), i * a);
      batch.rewards[i] = this.rewards[s];
      batch.terminated[i] = this.terminated[s];
    }
    return batch;
  }

  private nextSlot(): number {
    const serial = this.added++;
    const slot = serial % this.capacity;
    this.holdout[slot] = isHeldOut(serial, this.splitSeed, this.holdoutFraction) ? 1 : 0;
    return slot;
  }
}

/** murmur3's finaliser over (serial, seed): a uniform 32-bit hash, compared to the fraction. */
function isHeldOut(serial: number, seed: number, fraction: number): boolean {
  let h = (Math.imul(serial >>> 0, 0x9e3779b1) ^ seed) >>> 0;
  h ^= Math.floor(serial / 4294967296);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296 < fraction;
}
