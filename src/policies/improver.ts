/**
 * Improving the policy inside the model: the one interface the loop calls, whatever the
 * optimiser. Each improver reads like its paper's update (gradientImprover.ts,
 * reinforceImprover.ts); CEM-MPC plans instead of improving a network (mpcController.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ReplayBuffer } from '../data/replayBuffer';
import type { ImaginedReward } from '../imagination/rewardTerm';
import { smallestMask } from '../imagination/worstMembers';
import { withoutGradient } from '../models/stopGradient';
import type { WorldModel } from '../models/worldModel';
import type { Rng } from '../rng';
import type { Critic, ImaginedTrajectories } from './critic';
import type { PolicyNetwork } from './policyNetwork';

export interface ImaginationSettings {
  readonly rollouts: number;
  readonly horizon: number;
  readonly discount: number;
  readonly lambda: number;
  readonly reward: 'known' | 'learned';
  /** Std of zero-mean noise on every imagined reward (REINFORCE's robustness question). */
  readonly rewardNoiseStd: number;
  readonly risk: { readonly kind: 'mean' | 'cvar'; readonly alpha: number };
  /** Rewrites the rollout's rewards (the Error-MDP's error reward, MnM's classifier bonus). */
  readonly imaginedReward?: ImaginedReward;
}


export interface ImprovementContext {
  readonly model: WorldModel;
  readonly policy: PolicyNetwork;
  readonly critic: Critic;
  readonly buffer: ReplayBuffer;
  readonly settings: ImaginationSettings;
  readonly rng: Rng;
}

export interface ImprovementResult {
  readonly steps: number;
  readonly policyLoss: number;
  readonly criticLoss: number;
  /** The mean imagined return (discounted, over the horizon, plus terminal value) at the end. */
  readonly imaginedReturn: number;
}

export interface PolicyImprover {
  readonly name: string;
  improve(context: ImprovementContext, steps: number, onStep?: (step: number) => void): Promise<ImprovementResult>;
  dispose(): void;
}

/** B imagined rollouts branch from real observations drawn from the buffer. */
export function sampleStartObservations(buffer: ReplayBuffer, count: number, rng: Rng): tf.Tensor2D {
  if (buffer.size === 0) throw new Error('imagination needs real data: the replay buffer is empty');
  const batch = buffer.gather(buffer.sample(rng, count, 'all'));
  return tf.tensor2d(batch.observations, [count, buffer.observationDim]);
}

/**
 * The imagined return of each rollout, its definition in plain tfjs ops (differentiable by the
 * tape, in the policy's or the model's variables):
 *   G_r = Σ_{t<H} γ^t r̃_{t,r} + γ^H·alive_{H−1,r}·V(o_{H,r})
 * `rewards` [H, R] (the rollout's, or a rewrite of them). The imagination engine computes the
 * same J = Σ_r w_r·G_r and its gradient by hand (imagination/imaginedReturn.ts); Stackelberg's
 * follower lowers this one, and the tests' tape oracle differentiates it.
 */
export function imaginedReturns(
  rollout: Pick<ImaginedTrajectories, 'observations' | 'alive'>,
  rewards: tf.Tensor2D,
  critic: Pick<Critic, 'value'>,
  discount: number,
): tf.Tensor1D {
  return tf.tidy(() => {
    const [T, R, d] = rollout.observations.shape;
    const H = T - 1;
    const last = tf.reshape(tf.slice(rollout.observations, [H, 0, 0], [1, R, d]), [R, d]) as tf.Tensor2D;
    const stillAlive = tf.reshape(tf.slice(rollout.alive, [H - 1, 0], [1, R]), [R]);
    const terminal = tf.mul(tf.mul(critic.value(last), stillAlive), discount ** H);
    return tf.add(discountedSum(rewards, discount), terminal) as tf.Tensor1D;
  });
}

/** Σ_t γ^t x_t over the time axis of [H, R] → [R]. */
export function discountedSum(values: tf.Tensor2D, discount: number): tf.Tensor1D {
  return tf.tidy(() => {
    const H = values.shape[0];
    const weights = tf.tensor2d(
      Float32Array.from({ length: H }, (_, t) => discount ** t),
      [H, 1],
    );
    return values.mul(weights).sum(0) as tf.Tensor1D;
  });
}

/**
 * Mean of the worst ⌈α·E⌉ member returns per start: returns [E, B] → [B]. Which members are the
 * worst is chosen without gradient (worstMembers.ts); the gradient flows through their
 * returns, as in the CVaR policy gradient.
 */
export function conditionalValueAtRisk(returns: tf.Tensor2D, alpha: number): tf.Tensor1D {
  return tf.tidy(() => {
    const members = returns.shape[0];
    const worst = Math.max(1, Math.ceil(alpha * members));
    const byStart = returns.transpose() as tf.Tensor2D;
    const pickWorst = withoutGradient((x) => smallestMask(x, worst));
    return byStart.mul(pickWorst(byStart)).sum(1).div(worst) as tf.Tensor1D;
  });
}
