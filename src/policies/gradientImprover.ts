/**
 * Gradient through imagined rollouts (SVG(H) / Dreamer-style value gradients):
 *   J(θ) = E_{o_0 ~ buffer} [ Σ_{t<H} γ^t r(o_t, π_θ(o_t), o_{t+1}) + γ^H V(o_H) ],
 *   o_{t+1} = f̂(o_t, π_θ(o_t))   (the model, its parameters frozen),
 *   θ ← Adam(θ, −∇_θ J),   then V ← TD(λ) on the same rollouts.
 * Backpropagating through the model is what makes this optimiser the strongest exploiter of
 * model error: the gradient points straight at wherever the model promises more reward.
 * Risk: with CVaR, every member runs every start and J aggregates the worst ⌈αE⌉ members.
 */
import * as tf from '@tensorflow/tfjs';
import type { Policy } from '../models/policy';
import type { PolicyNetwork } from './policyNetwork';
import {
  conditionalValueAtRisk,
  discountedSum,
  imaginedRewards,
  sampleStartObservations,
  type ImprovementContext,
  type ImprovementResult,
  type PolicyImprover,
} from './improver';

/** The differentiable action: the squashed mean (box) or the softmax as a relaxed one-hot. */
export function differentiablePolicy(policy: PolicyNetwork): Policy {
  return (observations) =>
    tf.tidy(() => {
      const head = policy.head(observations);
      return policy.shape.actionSpace.kind === 'box' ? policy.squash(head) : (tf.softmax(head) as tf.Tensor2D);
    });
}

/** One step's imagined rollouts, kept past the policy's gradient for the critic's TD(λ). */
interface Trajectories {
  observations: tf.Tensor3D;
  rewards: tf.Tensor2D;
  alive: tf.Tensor2D;
}

export class GradientImprover implements PolicyImprover {
  readonly name = 'gradient';
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
    const act = differentiablePolicy(policy);
    const useCvar = settings.risk.kind === 'cvar' && model.config.members > 1;
    let policyLoss = Number.NaN;
    let criticLoss = Number.NaN;
    for (let step = 0; step < steps; step++) {
      const starts = sampleStartObservations(buffer, settings.rollouts, rng);
      // Cast, not annotated: TypeScript would narrow it to null and miss the closure's assignment.
      let kept = null as Trajectories | null;
      // Freed in `finally`: a backend failing mid-step must not leave the step's tensors behind.
      try {
        const loss = this.optimizer.minimize(
          () => {
            const rollout = model.rollout(starts, act, settings.horizon, {
              member: useCvar ? 'all' : 'random',
              reward: settings.reward,
              rng,
            });
            const H = settings.horizon;
            const [, R, d] = rollout.observations.shape;
            const last = rollout.observations.slice([H, 0, 0], [1, R, d]).reshape([R, d]) as tf.Tensor2D;
            const stillAlive = rollout.alive.slice([H - 1, 0], [1, R]).reshape([R]);
            const terminal = critic.value(last).mul(stillAlive).mul(settings.discount ** H);
            const rewards = imaginedRewards(rollout, settings);
            const returns = discountedSum(rewards, settings.discount).add(terminal) as tf.Tensor1D;
            const objective = useCvar
              ? conditionalValueAtRisk(returns.reshape([model.config.members, -1]) as tf.Tensor2D, settings.risk.alpha).mean()
              : returns.mean();
            kept = {
              observations: tf.keep(rollout.observations.clone()),
              rewards: tf.keep(rewards.clone()),
              alive: tf.keep(rollout.alive.clone()),
            };
            rollout.dispose();
            return objective.neg() as tf.Scalar;
          },
          true,
          policy.variables,
        );
        try {
          policyLoss = loss === null ? Number.NaN : (await loss.data())[0];
        } finally {
          loss?.dispose();
        }
        if (kept !== null) criticLoss = await critic.train(kept, settings.discount, settings.lambda);
      } finally {
        starts.dispose();
        if (kept !== null) tf.dispose([kept.observations, kept.rewards, kept.alive]);
      }
      onStep?.(step + 1);
    }
    return { steps, policyLoss, criticLoss, imaginedReturn: -policyLoss };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
