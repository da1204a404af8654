/**
 * The imagined return J(π; f̂) every optimiser in imagination climbs (or, for Stackelberg's
 * follower, lowers), and its gradient w.r.t. what the rollout made:
 *   G_r = Σ_{t<H} γ^t r̃_{t,r} + γ^H·alive_{H−1,r}·V(o_{H,r}),        J = Σ_r w_r·G_r
 * with w_r = 1/R (the mean), or, for CVaR over an ensemble's members (rows member-major,
 * member m's copy of start b at m·B + b), 1/(k·B) on the worst k = ⌈α·E⌉ members of each start
 * and 0 elsewhere. Which members are the worst is chosen without gradient; the gradient flows
 * through their returns, as in the CVaR policy gradient.
 *   ∂J/∂r̃_{t,r} = γ^t·w_r,    ∂J/∂V(o_{H,r}) = γ^H·alive_{H−1,r}·w_r
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './kernels';
import { smallestMask } from './worstMembers';

export type ReturnRisk =
  | { readonly kind: 'mean' }
  | { readonly kind: 'cvar'; readonly alpha: number; readonly members: number };

export interface ImaginedReturn {
  /** J. */
  readonly value: tf.Scalar;
  /** ∂(scale·J)/∂r̃ [H, R]. */
  readonly rewardGradient: tf.Tensor2D;
  /** ∂(scale·J)/∂V(o_H) [R, 1]. */
  readonly terminalGradient: tf.Tensor2D;
}

/**
 * `rewards` [H, R] zero after termination, `terminalValues` [R, 1] = V(o_H), `alive` [H, R]. The
 * gradients are of `scale`·J: −1 gives a minimiser the gradient of its loss −J directly.
 */
export function imaginedReturn(
  rewards: tf.Tensor2D,
  terminalValues: tf.Tensor2D,
  alive: tf.Tensor2D,
  discount: number,
  risk: ReturnRisk,
  scale = 1,
): ImaginedReturn {
  const [H, R] = rewards.shape;
  return tf.tidy(() => {
    const powers = Float32Array.from({ length: H }, (_, t) => discount ** t);
    const stillAlive = tf.reshape(tf.slice(alive, [H - 1, 0], [1, R]), [R, 1]);
    const bootstrapWeight = tf.mul(stillAlive, discount ** H) as tf.Tensor2D;
    // G as a row [1, R]: the discounted sum over time is a matMul by the powers of γ.
    const returns = tf.add(
      matMul(tf.tensor2d(powers, [1, H]), rewards),
      tf.transpose(tf.mul(bootstrapWeight, terminalValues)),
    );
    const weights = rowWeights(returns as tf.Tensor2D, risk);
    const scaledPowers = powers.map((p) => p * scale);
    return {
      value: tf.reshape(matMul(returns as tf.Tensor2D, tf.transpose(weights)), []) as tf.Scalar,
      rewardGradient: matMul(tf.tensor2d(scaledPowers, [H, 1]), weights) as tf.Tensor2D,
      terminalGradient: tf.mul(
        tf.mul(bootstrapWeight, scale),
        tf.transpose(weights),
      ) as tf.Tensor2D,
    };
  });
}

/** w as a row [1, R]. */
function rowWeights(returns: tf.Tensor2D, risk: ReturnRisk): tf.Tensor2D {
  const R = returns.shape[1];
  if (risk.kind === 'mean' || risk.members <= 1) return tf.fill([1, R], 1 / R) as tf.Tensor2D;
  const E = risk.members;
  const B = R / E;
  const worst = Math.max(1, Math.ceil(risk.alpha * E));
  // [E, B] → per start (column) the worst members.
  const picked = smallestMask(tf.transpose(tf.reshape(returns, [E, B])), worst);
  return tf.reshape(tf.div(tf.transpose(picked), worst * B), [1, R]) as tf.Tensor2D;
}
