/**
 * Imagined rollouts: B start observations, a policy, H steps inside the model, all on-device and
 * batched; nothing is read back here. The inner loop is one policy call, two placement matMuls,
 * one fused matMul per member and layer, and an add: rewards, termination, the alive mask and
 * member disagreement are computed once, after the loop, over all H steps at a time.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { Rng } from '../rng';
import { encodeActions } from './actions';
import { columnMaps, disposeColumnMaps, forwardMembers, placeInputs, repeatRows, type ColumnMaps } from './inferenceForward';
import type { InferenceWeights } from './inferenceWeights';
import type { KnownRewardModel } from './knownRewards';
import type { Policy } from './policy';
import { withoutGradient } from './stopGradient';
import { tidyKeeping } from './tidy';

/**
 * Which member steps each trajectory:
 * - 'random': a member drawn afresh for every trajectory and step (PETS's TS1, MBPO);
 * - 'all': every member runs its own copy of every start state (E·B trajectories);
 * - 'mean': the members' mean prediction.
 */
export type MemberChoice = 'random' | 'all' | 'mean';

export interface RolloutOptions {
  readonly member?: MemberChoice;
  /** The env's known reward (knownRewards.ts) or the model's learned reward head. */
  readonly reward?: 'known' | 'learned';
  /** Gaussian models: step to a sample of the predicted Gaussian instead of its mean. */
  readonly sample?: boolean;
  /** Draws the random members and the Gaussian noise. */
  readonly rng?: Rng;
}

/** R = B rows, or E·B for 'all' (member-major: member m's copy of start b is row m·B + b). */
export interface RolloutResult {
  readonly member: MemberChoice;
  /** [H+1, R, obsDim]: the start, then every imagined step (rows past termination run on, masked). */
  readonly observations: tf.Tensor3D;
  /** [H, R, columns] as the policy returned them. */
  readonly actions: tf.Tensor3D;
  /** [H, R]: zero after termination. */
  readonly rewards: tf.Tensor2D;
  /** [H, R]: 1 for the steps taken before the trajectory terminated (the terminating one included). */
  readonly alive: tf.Tensor2D;
  /**
   * [H, R]: the members' spread at each step, the std across members of the predicted next
   * observation in normalised delta units, averaged over components. For 'all' it is the spread
   * of the E trajectories from the same start, shared by their rows.
   */
  readonly disagreement: tf.Tensor2D;
  dispose(): void;
}

export interface RolloutModel {
  readonly weights: InferenceWeights;
  readonly actionSpace: ActionSpace;
  readonly knownReward: KnownRewardModel;
  /** Std of each next-observation delta in the buffer, for disagreement in normalised units. */
  readonly deltaStd: ArrayLike<number>;
}

export function imagineRollout(
  model: RolloutModel,
  startObservations: tf.Tensor2D,
  policy: Policy,
  horizon: number,
  options: RolloutOptions & { readonly rng: Rng },
): RolloutResult {
  const member = options.member ?? 'random';
  const learnedReward = (options.reward ?? 'known') === 'learned';
  const { weights } = model;
  const E = weights.members;
  const [B, d] = startObservations.shape;
  if (!Number.isInteger(horizon) || horizon < 1) throw new Error(`rollout: horizon must be ≥ 1, got ${horizon}`);
  const sample = options.sample === true && weights.logVar !== null;
  const featureDim = model.actionSpace.kind === 'box' ? 1 : model.actionSpace.n;
  const maps = columnMaps(d, featureDim, weights.outputColumns);
  const memberMasks = member === 'random' ? randomMemberMasks(options.rng, horizon, E, B) : null;
  const noiseSeed = sample ? options.rng.seed32() : 0;

  const first = member === 'all' ? repeatRows(startObservations, E) : tf.clone(startObservations);
  const observations: tf.Tensor2D[] = [first as tf.Tensor2D];
  const actions: tf.Tensor2D[] = [];
  const learnedRewards: tf.Tensor2D[] = [];
  const memberPredictions: tf.Tensor3D[] = [];
  try {
    for (let t = 0; t < horizon; t++) {
      const step = tidyKeeping(() => {
        const obs = observations[t];
        const action = policy(obs);
        if (action.rank !== 2 || action.shape[0] !== obs.shape[0]) {
          throw new Error(`rollout: the policy returned actions of shape [${action.shape}] for ${obs.shape[0]} rows`);
        }
        const x = placeInputs(obs, encodeActions(action, model.actionSpace), maps);
        const { mean, logVar } = forwardMembers(weights, x, member === 'all' ? 'own' : 'shared', sample);
        let out = logVar === null ? mean : sampleGaussian(mean, logVar, weights.outputStd, noiseSeed + t);
        let prediction: tf.Tensor3D | null = null;
        if (member !== 'all') {
          prediction = tf.reshape(out, [E, B, -1]);
          out = (
            memberMasks === null ? tf.mean(prediction, 0) : tf.sum(tf.mul(prediction, memberMasks[t]), 0)
          ) as tf.Tensor2D;
        }
        return {
          next: tf.add(obs, learnedReward ? tf.matMul(out, maps.pickDeltas) : out) as tf.Tensor2D,
          action,
          reward: learnedReward ? (tf.matMul(out, maps.pickReward) as tf.Tensor2D) : null,
          prediction,
        };
      });
      observations.push(step.next);
      actions.push(step.action);
      if (step.reward !== null) learnedRewards.push(step.reward);
      if (step.prediction !== null) memberPredictions.push(step.prediction);
    }
    return summarise(model, member, observations, actions, learnedReward ? learnedRewards : null, memberPredictions, maps);
  } finally {
    tf.dispose([...observations, ...actions, ...learnedRewards, ...memberPredictions, ...(memberMasks ?? [])]);
    disposeColumnMaps(maps);
  }
}

function summarise(
  model: RolloutModel,
  member: MemberChoice,
  observationList: tf.Tensor2D[],
  actionList: tf.Tensor2D[],
  learnedRewards: tf.Tensor2D[] | null,
  memberPredictions: tf.Tensor3D[],
  maps: ColumnMaps,
): RolloutResult {
  const H = actionList.length;
  const E = model.weights.members;
  const [R, d] = observationList[0].shape;
  const result = tidyKeeping(() => {
    const observations = tf.stack(observationList) as tf.Tensor3D;
    const actions = tf.stack(actionList) as tf.Tensor3D;
    const before = tf.reshape(tf.slice(observations, [0, 0, 0], [H, R, d]), [H * R, d]) as tf.Tensor2D;
    const after = tf.reshape(tf.slice(observations, [1, 0, 0], [H, R, d]), [H * R, d]) as tf.Tensor2D;
    const flatActions = tf.reshape(actions, [H * R, -1]) as tf.Tensor2D;
    const rawRewards =
      learnedRewards === null
        ? tf.reshape(model.knownReward.reward(before, flatActions, after), [H, R])
        : tf.reshape(tf.stack(learnedRewards), [H, R]);
    const terminated = model.knownReward.terminated(after);
    const alive = terminated === null ? tf.ones([H, R]) : aliveMask(tf.reshape(terminated, [H, R]));
    const rewards = tf.where(tf.cast(alive, 'bool'), rawRewards, tf.zerosLike(rawRewards));
    const deltaStd = tf.tensor1d(Float32Array.from(model.deltaStd).subarray(0, d));
    let spread: tf.Tensor2D;
    if (member === 'all') {
      const B = R / E;
      const next = tf.div(tf.reshape(after, [H, E, B, d]), deltaStd);
      // One value per start state, repeated for its E rows: [H, B] → [H, E·B].
      const perStart = tf.mean(tf.sqrt(tf.moments(next, 1).variance), 2) as tf.Tensor2D;
      spread = tf.reshape(tf.add(tf.expandDims(perStart, 1), tf.zeros([1, E, 1])), [H, R]);
    } else {
      const columns = memberPredictions[0].shape[2];
      const stacked = tf.reshape(tf.stack(memberPredictions), [-1, columns]) as tf.Tensor2D; // H·E·B rows
      const deltas = tf.reshape(tf.matMul(stacked, maps.pickDeltas), [H, E, R, d]);
      spread = tf.mean(tf.sqrt(tf.moments(tf.div(deltas, deltaStd), 1).variance), 2) as tf.Tensor2D;
    }
    return { observations, actions, rewards: rewards as tf.Tensor2D, alive: alive as tf.Tensor2D, disagreement: spread };
  });
  return {
    member,
    ...result,
    dispose: () => tf.dispose([result.observations, result.actions, result.rewards, result.alive, result.disagreement]),
  };
}

/** alive_t = no termination at steps < t: an exclusive cumulative sum over time; no gradient. */
const aliveMask = withoutGradient((terminated) => tf.cast(tf.equal(tf.cumsum(terminated, 0, true), 0), 'float32'));

/** One-hot member choices [E, B, 1] per step, drawn from the seeded RNG. */
function randomMemberMasks(rng: Rng, horizon: number, E: number, B: number): tf.Tensor3D[] {
  const masks: tf.Tensor3D[] = [];
  for (let t = 0; t < horizon; t++) {
    const values = new Float32Array(E * B);
    for (let b = 0; b < B; b++) values[rng.int(E) * B + b] = 1;
    masks.push(tf.tensor3d(values, [E, B, 1]));
  }
  return masks;
}

/** mean + σ·ε with σ = σ_target·exp(½ log σ²) from the log-variance head, ε seeded per step. */
function sampleGaussian(mean: tf.Tensor2D, logVar: tf.Tensor2D, outputStd: tf.Tensor1D, seed: number): tf.Tensor2D {
  const std = tf.mul(tf.exp(tf.mul(logVar, 0.5)), outputStd);
  return tf.add(mean, tf.mul(std, tf.randomNormal(mean.shape, 0, 1, 'float32', seed >>> 0)));
}
