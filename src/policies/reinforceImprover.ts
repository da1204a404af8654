/**
 * REINFORCE with a baseline, on imagined rollouts (no gradient through the model):
 *   a_t ~ π_θ(·|o_t),   r̃_t = r_t + ε_t,  ε_t ~ N(0, σ²)   (the optional reward noise),
 *   G_t = Σ_{k≥t} γ^{k−t} r̃_k,   A_t = G_t − V(o_t)   (normalised over the batch),
 *   θ ← Adam(θ, ∇_θ −mean_t[ alive_t · log π_θ(a_t|o_t) · A_t ]),   then V ← TD(λ).
 * Zero-mean reward noise leaves the expected gradient unchanged and only adds variance, which
 * is the point "On Training in Imagination" makes; the lab can measure it.
 */
import * as tf from '@tensorflow/tfjs';
import type { RolloutResult } from '../models/rollout';
import type { Rng } from '../rng';
import type { Policy } from '../models/policy';
import type { PolicyNetwork } from './policyNetwork';
import {
  imaginedRewards,
  sampleStartObservations,
  type ImprovementContext,
  type ImprovementResult,
  type PolicyImprover,
} from './improver';

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const SQUASH_LIMIT = 1 - 1e-6;

/** Samples actions in env format: box values, or discrete indices as a float column. */
export function samplingPolicy(policy: PolicyNetwork, rng: Rng): Policy {
  return (observations) =>
    tf.tidy(() => {
      const head = policy.head(observations);
      const space = policy.shape.actionSpace;
      if (space.kind === 'box') {
        const noise = tf.randomNormal(head.shape, 0, 1, 'float32', rng.seed32());
        return policy.squash(head.add(noise.mul(policy.logStd.exp())) as tf.Tensor2D);
      }
      return tf.multinomial(head, 1, rng.seed32()).toFloat() as tf.Tensor2D;
    });
}

/** log π_θ(a|o) for env-format actions [R, 1] → [R], differentiable in θ. */
export function logProbability(policy: PolicyNetwork, observations: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const head = policy.head(observations);
    const space = policy.shape.actionSpace;
    if (space.kind === 'box') {
      const half = (space.high - space.low) / 2;
      const unit = actions.sub(space.low + half).div(half).clipByValue(-SQUASH_LIMIT, SQUASH_LIMIT);
      const u = tf.atanh(unit);
      const std = policy.logStd.exp();
      const z = u.sub(head).div(std);
      // The tanh Jacobian depends on the sampled u only, not on θ: it drops out of the gradient.
      return z.square().mul(-0.5).sub(policy.logStd).sub(LOG_SQRT_TWO_PI).reshape([-1]) as tf.Tensor1D;
    }
    const logits = tf.logSoftmax(head);
    const indices = actions.reshape([-1]).toInt();
    return logits.mul(tf.oneHot(indices, space.n)).sum(1) as tf.Tensor1D;
  });
}

export class ReinforceImprover implements PolicyImprover {
  readonly name = 'reinforce';
  private readonly optimizer: tf.Optimizer;

  constructor(learningRate: number) {
    this.optimizer = tf.train.adam(learningRate);
  }

  async improve(
    context: ImprovementContext,
    steps: number,
    onStep?: (step: number) => void,
  ): Promise<ImprovementResult> {
    const { model, policy, critic, buffer, settings, rng } = context;
    const act = samplingPolicy(policy, rng);
    const H = settings.horizon;
    let policyLoss = Number.NaN;
    let criticLoss = Number.NaN;
    let imaginedReturn = Number.NaN;
    for (let step = 0; step < steps; step++) {
      // Freed in `finally`: a backend failing mid-step must not leave the step's tensors behind.
      const owned: tf.Tensor[] = [];
      const own = <T extends tf.Tensor>(tensor: T): T => {
        owned.push(tensor);
        return tensor;
      };
      let rollout: RolloutResult | null = null;
      try {
        const starts = own(sampleStartObservations(buffer, settings.rollouts, rng));
        const imagined = model.rollout(starts, act, H, { member: 'random', reward: settings.reward, rng });
        rollout = imagined;
        const [, R, d] = imagined.observations.shape;
        const noisyRewards = own(
          tf.tidy(() => {
            const rewards = imaginedRewards(imagined, settings);
            if (settings.rewardNoiseStd === 0) return rewards.clone();
            const noise = tf.randomNormal([H, R], 0, settings.rewardNoiseStd, 'float32', rng.seed32());
            return rewards.add(noise.mul(imagined.alive)) as tf.Tensor2D;
          }),
        );
        const trajectories = { observations: imagined.observations, rewards: noisyRewards, alive: imagined.alive };
        const { advantages, meanReturn } = tf.tidy(() => {
          const returnsToGo = rewardsToGo(noisyRewards, settings.discount);
          const baseline = critic.valueOfSteps(imagined.observations.slice([0, 0, 0], [H, R, d]) as tf.Tensor3D);
          const raw = returnsToGo.sub(baseline);
          const moments = tf.moments(raw);
          const normalised = raw.sub(moments.mean).div(moments.variance.sqrt().add(1e-6));
          return { advantages: normalised.mul(imagined.alive), meanReturn: returnsToGo.slice([0, 0], [1, R]).mean() };
        });
        own(advantages);
        own(meanReturn);
        const flatObservations = own(
          tf.tidy(() => imagined.observations.slice([0, 0, 0], [H, R, d]).reshape([H * R, d]) as tf.Tensor2D),
        );
        const flatActions = own(imagined.actions.reshape([H * R, -1]) as tf.Tensor2D);
        const flatAdvantages = own(advantages.reshape([H * R]));
        const loss = this.optimizer.minimize(
          () => logProbability(policy, flatObservations, flatActions).mul(flatAdvantages).mean().neg() as tf.Scalar,
          true,
          policy.variables,
        );
        if (loss !== null) own(loss);
        policyLoss = loss === null ? Number.NaN : (await loss.data())[0];
        imaginedReturn = (await meanReturn.data())[0];
        criticLoss = await critic.train(trajectories, settings.discount, settings.lambda);
      } finally {
        tf.dispose(owned);
        rollout?.dispose();
      }
      onStep?.(step + 1);
    }
    return { steps, policyLoss, criticLoss, imaginedReturn };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** G_t = Σ_{k≥t} γ^{k−t} r_k over [H, R]. */
function rewardsToGo(rewards: tf.Tensor2D, discount: number): tf.Tensor2D {
  return tf.tidy(() => {
    const rows = tf.unstack(rewards);
    const out: tf.Tensor[] = new Array<tf.Tensor>(rows.length);
    let next: tf.Tensor = tf.zerosLike(rows[0]);
    for (let t = rows.length - 1; t >= 0; t--) {
      next = rows[t].add(next.mul(discount));
      out[t] = next;
    }
    return tf.stack(out) as tf.Tensor2D;
  });
}
