/**
 * Imagined rollouts on the frozen ensemble: B start observations, a policy, H steps, all batched.
 *   for t < H:  f_t = π(o_t)                       (the model's action features)
 *               o_{t+1} = o_t + Δ̂_{m(t)}(o_t, f_t)  (the member chosen for the row at step t)
 *   then, over all steps at once: the rewards (the env's known reward, or the learned head's),
 *   termination and the alive mask.
 * A step is the policy's layers, one concat, and the ensemble's few kernels (frozenEnsemble.ts).
 * With `keep`, each step's inputs and activations stay for the backward pass (backward.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import { encodeActions } from '../models/actions';
import type { KnownRewardModel } from '../models/knownRewards';
import type { Policy } from '../models/policy';
import type { Rng } from '../rng';
import type { EnsembleTrace, FrozenEnsemble, MemberMask } from './frozenEnsemble';
import { disposeMasks, memberMasks, rolloutRows, type MemberChoice } from './memberChoice';
import { concatColumns, slice2d } from './kernels';

/** A policy as a rollout step calls it: the model's features for states [R, state]. */
export interface StepPolicy<Trace = unknown> {
  /** `action`: env-format actions, or null if `envActions` derives them from the features. */
  act(
    state: tf.Tensor2D,
    keep: boolean,
  ): { features: tf.Tensor2D; action: tf.Tensor2D | null; trace: Trace | null };
  /** Env-format actions [n, ·] from stacked features [n, f] (policies whose `act` returns none). */
  envActions(features: tf.Tensor2D): tf.Tensor2D;
}

export interface RolloutOptions {
  readonly horizon: number;
  readonly member: MemberChoice;
  readonly rng: Rng;
  /** Keep what the backward pass needs. */
  readonly keep?: boolean;
}

/** One step's record for the backward pass. */
export interface StepRecord<Trace> {
  readonly state: tf.Tensor2D;
  readonly policy: Trace;
  readonly ensemble: EnsembleTrace;
}

export interface ImaginedRollout<Trace = unknown> {
  readonly member: MemberChoice;
  /** Rows R: B, or E·B for 'all' (member-major). */
  readonly rows: number;
  /** [H+1, R, d]: the start, then every imagined step (rows past termination run on, masked). */
  readonly observations: tf.Tensor3D;
  /** [H, R, ·]: env-format actions (box values; discrete indices, or the relaxed one-hot). */
  readonly actions: tf.Tensor3D;
  /** [H·R, f]: the model's action features, step-major. */
  readonly features: tf.Tensor2D;
  /** [H, R]: the known or learned reward, zero after termination. */
  readonly rewards: tf.Tensor2D;
  /** [H, R]: 1 for the steps taken before the trajectory terminated (the terminating one included). */
  readonly alive: tf.Tensor2D;
  /** Per step, with `keep`. */
  readonly steps: StepRecord<Trace>[] | null;
  dispose(): void;
}

export function imagine<Trace>(
  ensemble: FrozenEnsemble,
  knownReward: KnownRewardModel,
  startObservations: tf.Tensor2D,
  policy: StepPolicy<Trace>,
  options: RolloutOptions,
): ImaginedRollout<Trace> {
  const H = options.horizon;
  if (!Number.isInteger(H) || H < 1) throw new Error(`rollout: horizon must be ≥ 1, got ${H}`);
  const keep = options.keep === true;
  const { observation: d, state: stateWidth } = ensemble.columns;
  const [B, columns] = startObservations.shape;
  if (columns !== d)
    throw new Error(`rollout: start observations need ${d} columns, got ${columns}`);
  const E = ensemble.members;
  const R = rolloutRows(options.member, B, E);
  const learned = stateWidth > d;
  const masks = memberMasks(ensemble, options.member, H, R, options.rng);
  // Everything the steps make, freed at the end unless kept for the backward pass or the result.
  const states: tf.Tensor2D[] = [];
  const features: tf.Tensor2D[] = [];
  const actions: tf.Tensor2D[] = [];
  /** The learned reward's summands per step (the accumulator column of each step's change). */
  const modelRewards: tf.Tensor2D[] = [];
  const records: StepRecord<Trace>[] = [];
  const scratch: tf.Tensor[] = [];
  try {
    states.push(
      tf.tidy(() => {
        const rows =
          options.member === 'all' ? repeatRows(startObservations, E) : startObservations.clone();
        return learned ? (tf.concat([rows, tf.zeros([R, 1])], 1) as tf.Tensor2D) : rows;
      }),
    );
    for (let t = 0; t < H; t++) {
      const state = states[t];
      const step = policy.act(state, keep);
      if (step.features.shape[0] !== R)
        throw new Error(`rollout: the policy returned ${step.features.shape[0]} rows for ${R}`);
      features.push(step.features);
      if (step.action !== null) actions.push(step.action);
      const input = concatColumns([state, step.features]);
      const { next, change, trace } = ensemble.advance(state, input, masks[t], keep);
      states.push(next);
      modelRewards.push(...change);
      if (keep && trace !== null)
        records.push({ state, policy: step.trace as Trace, ensemble: trace });
      else scratch.push(input);
    }
    const result = summarise(
      knownReward,
      policy,
      H,
      R,
      d,
      states,
      features,
      actions,
      learned ? modelRewards : null,
    );
    const steps = keep ? records : null;
    const owned = steps === null ? [] : [...ownedByRecords(steps, masks), ...features];
    return {
      member: options.member,
      rows: R,
      ...result,
      steps,
      dispose: () => {
        tf.dispose([
          result.observations,
          result.actions,
          result.features,
          result.rewards,
          result.alive,
          ...owned,
        ]);
      },
    };
  } finally {
    tf.dispose([...actions, ...modelRewards, ...scratch]);
    if (!keep) {
      tf.dispose([...states, ...features]);
      disposeMasks(masks);
    } else {
      // The states are the steps' inputs; the last one is no step's.
      tf.dispose(states[states.length - 1]);
    }
  }
}

/** The tensors a kept rollout's records hold, each once. */
function ownedByRecords<Trace>(
  steps: readonly StepRecord<Trace>[],
  masks: readonly MemberMask[],
): tf.Tensor[] {
  const owned = new Set<tf.Tensor>();
  const add = (value: unknown) => {
    if (value instanceof tf.Tensor) owned.add(value);
    else if (Array.isArray(value)) value.forEach(add);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(add);
  };
  for (const step of steps) {
    owned.add(step.state);
    add(step.policy);
    owned.add(step.ensemble.input);
    step.ensemble.hidden.forEach((t) => owned.add(t));
    step.ensemble.preActivations.forEach((t) => owned.add(t));
  }
  for (const mask of masks)
    for (const t of [mask.weights, mask.hidden, mask.last, ...(mask.columns ?? [])])
      if (t !== null) owned.add(t);
  return [...owned];
}

function summarise<Trace>(
  knownReward: KnownRewardModel,
  policy: StepPolicy<Trace>,
  H: number,
  R: number,
  d: number,
  states: tf.Tensor2D[],
  features: tf.Tensor2D[],
  actions: tf.Tensor2D[],
  modelRewards: tf.Tensor2D[] | null,
): Omit<ImaginedRollout, 'member' | 'rows' | 'steps' | 'dispose'> {
  return tf.tidy(() => {
    const stacked = tf.concat(states, 0) as tf.Tensor2D;
    const flat = stacked.shape[1] === d ? stacked : slice2d(stacked, [0, 0], [-1, d]);
    const before = slice2d(flat, [0, 0], [H * R, d]);
    const after = slice2d(flat, [R, 0], [H * R, d]);
    const stackedFeatures = tf.concat(features, 0) as tf.Tensor2D;
    const flatActions =
      actions.length === H
        ? (tf.concat(actions, 0) as tf.Tensor2D)
        : policy.envActions(stackedFeatures);
    const raw =
      modelRewards === null
        ? tf.reshape(knownReward.reward(before, flatActions, after), [H, R])
        : learnedRewards(modelRewards, H, R, d);
    const terminated = knownReward.terminated(after);
    const alive =
      terminated === null
        ? tf.ones([H, R])
        : aliveMask(tf.reshape(terminated, [H, R]) as tf.Tensor2D);
    return {
      observations: tf.reshape(flat, [H + 1, R, d]) as tf.Tensor3D,
      actions: tf.reshape(flatActions, [H, R, -1]) as tf.Tensor3D,
      features: stackedFeatures,
      rewards: tf.mul(raw, alive) as tf.Tensor2D,
      alive: alive as tf.Tensor2D,
    };
  });
}

/** r_t: the accumulator column of each step's change, whose summands come per step in order. */
function learnedRewards(summands: tf.Tensor2D[], H: number, R: number, d: number): tf.Tensor2D {
  const perStep = summands.length / H;
  // One concat per kind of summand over all steps, then their sum: not a sum per step.
  const stacked = Array.from({ length: perStep }, (_, k) =>
    tf.concat(
      summands.filter((_, i) => i % perStep === k),
      0,
    ),
  );
  const changes = stacked.length === 1 ? stacked[0] : tf.addN(stacked);
  return tf.reshape(slice2d(changes as tf.Tensor2D, [0, d], [-1, 1]), [H, R]) as tf.Tensor2D;
}

/** alive_t = no termination at steps < t: an exclusive cumulative sum over time. */
export function aliveMask(terminated: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(
    () => tf.cast(tf.equal(tf.cumsum(terminated, 0, true), 0), 'float32') as tf.Tensor2D,
  );
}

/**
 * [B, d] → [E·B, d]: the B rows repeated E times, member-major. A broadcast add rather than
 * `tf.tile`, whose WASM kernel is a JS loop.
 */
export function repeatRows(rows: tf.Tensor2D, E: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, d] = rows.shape;
    return tf.reshape(tf.add(tf.expandDims(rows, 0), tf.zeros([E, 1, 1])), [
      E * B,
      d,
    ]) as tf.Tensor2D;
  });
}

/** A plain policy function (env-format actions from observations) as a rollout step calls it. */
export function functionPolicy(
  policy: Policy,
  space: ActionSpace,
  observationColumns: number,
): StepPolicy<null> {
  return {
    act: (state) => {
      const { features, action } = tf.tidy(() => {
        const observations =
          state.shape[1] === observationColumns
            ? state
            : slice2d(state, [0, 0], [-1, observationColumns]);
        const action = policy(observations);
        if (action.rank !== 2 || action.shape[0] !== observations.shape[0]) {
          throw new Error(
            `rollout: the policy returned actions of shape [${action.shape}] for ${observations.shape[0]} rows`,
          );
        }
        return { action, features: encodeActions(action, space) };
      });
      return { features, action, trace: null };
    },
    envActions: () => {
      throw new Error('functionPolicy: its actions are returned by act');
    },
  };
}
