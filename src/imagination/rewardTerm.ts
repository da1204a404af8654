/**
 * What an optimiser in imagination maximises per step, r̃_t, and how it moves with the rollout:
 * the model's reward (the env's known reward, or the learned head's), or a rewrite of it (the
 * Error-MDP's error signal, MnM's classifier bonus). Each term hands the backward pass its
 * gradients w.r.t. the rollout's observations, action features and learned rewards.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { KnownRewardModel } from '../models/knownRewards';
import type { RolloutGradients } from './backward';
import { slice2d } from './kernels';
import type { ImaginedRollout } from './rollout';
import { tidyKeeping } from '../models/tidy';
import type { TanhNetwork } from './tanhFold';

export type RewardGradients = Omit<RolloutGradients, 'finalObservation'>;

export interface RewardTerm {
  /** r̃ [H, R], zero after termination. */
  readonly rewards: tf.Tensor2D;
  /** The rollout's gradients for ∂J/∂r̃ = `dRewards` [H, R] (the caller disposes them). */
  backward(dRewards: tf.Tensor2D): RewardGradients;
  dispose(): void;
}

/** What a reward rewrite may read besides the rollout. */
export interface RewardContext {
  readonly knownReward: KnownRewardModel;
  readonly actionSpace: ActionSpace;
  /** The model's reward is its learned head (the rollout carries it), not the env's known one. */
  readonly learnedReward: boolean;
}

/**
 * The Error-MDP's error signals as data, for a path that computes them itself (the fused WebGPU
 * programs): the error head's network and output scale, or the disagreement's delta scales.
 */
export type RewriteDescription =
  | {
      readonly kind: 'errorHead';
      /** Tanh hidden layers, a linear output z; ê = scale·softplus(z). Reads [o, encoded action]. */
      readonly network: TanhNetwork;
      readonly scale: number;
    }
  | {
      readonly kind: 'disagreement';
      /** σ_Δ per observation column: the spread is measured in normalised delta units. */
      readonly deltaStd: Float32Array;
    };

/** A rewrite of the rewards (Error-MDP, MnM); the model's own otherwise. */
export type ImaginedReward = ((rollout: ImaginedRollout, context: RewardContext) => RewardTerm) & {
  readonly description?: RewriteDescription;
};

/** The rollout's steps as rows: o_t, the env-format action and o_{t+1}, each [H·R, ·]. */
export function transitionRows(rollout: ImaginedRollout): {
  before: tf.Tensor2D;
  actions: tf.Tensor2D;
  after: tf.Tensor2D;
} {
  return tf.tidy(() => {
    const [T, R, d] = rollout.observations.shape;
    const H = T - 1;
    const flat = tf.reshape(rollout.observations, [T * R, d]) as tf.Tensor2D;
    return {
      before: slice2d(flat, [0, 0], [H * R, d]),
      actions: tf.reshape(rollout.actions, [H * R, -1]) as tf.Tensor2D,
      after: slice2d(flat, [R, 0], [H * R, d]),
    };
  });
}

/**
 * ∂/∂(features) from ∂/∂(env action): the squashed box action a = low + (high − low)·s moves by
 * the range; a discrete policy's relaxed one-hot is its own feature.
 */
export function featureGradient(dActions: tf.Tensor2D, space: ActionSpace): tf.Tensor2D {
  return space.kind === 'box'
    ? (tf.mul(dActions, space.high - space.low) as tf.Tensor2D)
    : dActions;
}

/** The model's own reward: the env's known r(o, a, o′), or the learned head's r̂(o, a). */
export function modelReward(rollout: ImaginedRollout, context: RewardContext): RewardTerm {
  return {
    rewards: rollout.rewards,
    backward: (dRewards) =>
      tidyKeeping((): RewardGradients => {
        // r = raw·alive: the gradient reaches the raw reward only where the row is alive.
        const dRaw = tf.mul(dRewards, rollout.alive) as tf.Tensor2D;
        if (context.learnedReward)
          return { before: null, features: null, after: null, learnedReward: dRaw };
        const rows = transitionRows(rollout);
        const g = context.knownReward.rewardGradient(
          rows.before,
          rows.actions,
          tf.reshape(dRaw, [-1]) as tf.Tensor1D,
        );
        return {
          before: g.observations,
          features: g.actions === null ? null : featureGradient(g.actions, context.actionSpace),
          after: null,
          learnedReward: null,
        };
      }),
    // The rollout owns its rewards.
    dispose: () => undefined,
  };
}
