/**
 * The test oracle of the imagination engine: the same objectives built from plain tfjs ops (the
 * ensemble's inference path, the policy's and critic's definitions) and differentiated by tfjs's
 * tape. The engine's hand-written gradients must agree with these per tensor.
 */
import * as tf from '@tensorflow/tfjs';
import type { WorldModel } from '../../src/models/worldModel';
import type { Critic } from '../../src/policies/critic';
import { differentiablePolicy } from '../../src/policies/gradientImprover';
import { conditionalValueAtRisk, imaginedReturns, type ImaginationSettings } from '../../src/policies/improver';
import type { PolicyNetwork } from '../../src/policies/policyNetwork';
import type { RolloutResult } from '../../src/models/rollout';
import type { Rng } from '../../src/rng';

/** The rewards the oracle's optimiser maximises, built under the tape from its rollout. */
export type TapeReward = (rollout: RolloutResult) => tf.Tensor2D;

/** −J(θ) of gradientImprover.ts for the policy as it is, from `starts`, under the tape. */
export function tapeLoss(
  model: WorldModel,
  policy: PolicyNetwork,
  critic: Critic,
  starts: tf.Tensor2D,
  settings: ImaginationSettings,
  rng: Rng,
  reward?: TapeReward,
): tf.Scalar {
  return tf.tidy(() => {
    const useCvar = settings.risk.kind === 'cvar' && model.config.members > 1;
    const rollout = model.rollout(starts, differentiablePolicy(policy), settings.horizon, {
      member: useCvar ? 'all' : 'random',
      reward: settings.reward,
      rng,
    });
    const rewards = reward === undefined ? rollout.rewards : reward(rollout);
    const returns = imaginedReturns(rollout, rewards, critic, settings.discount);
    const objective = useCvar
      ? conditionalValueAtRisk(returns.reshape([model.config.members, -1]) as tf.Tensor2D, settings.risk.alpha).mean()
      : returns.mean();
    return objective.neg() as tf.Scalar;
  });
}

/**
 * ∂(−J)/∂θ by the tape, in `policy.variables` order. Read asynchronously: a synchronous read
 * loses a WebGPU device in headless Chromium.
 */
export async function tapeGradients(loss: () => tf.Scalar, variables: tf.Variable[]): Promise<{ value: number; gradients: tf.Tensor[] }> {
  const { value, grads } = tf.variableGrads(loss, variables);
  const gradients = variables.map((v) => grads[v.name] ?? tf.zerosLike(v));
  const number = (await value.data())[0];
  value.dispose();
  return { value: number, gradients };
}

/** max |a − b| / max |b| over one tensor pair (0/0 counts as agreement). */
export async function relativeDifference(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = await Promise.all([a.data(), b.data()]);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
