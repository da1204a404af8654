/**
 * Gradient through imagined rollouts (SVG(H) / Dreamer-style value gradients):
 *   J(θ) = E_{o_0 ~ buffer} [ Σ_{t<H} γ^t r(o_t, π_θ(o_t), o_{t+1}) + γ^H V(o_H) ],
 *   o_{t+1} = f̂(o_t, π_θ(o_t))   (the model, its parameters frozen),
 *   θ ← Adam(θ, −∇_θ J),   then V ← TD(λ) on the same rollouts.
 * Backpropagating through the model is what makes this optimiser the strongest exploiter of
 * model error: the gradient points straight at wherever the model promises more reward.
 * Risk: with CVaR, every member runs every start and J aggregates the worst ⌈αE⌉ members.
 *
 * ∇_θ J is computed by the imagination engine (src/imagination/): the model folded once for the
 * phase, a forward pass that keeps what backpropagation needs and a backward pass through time
 * written out, instead of tfjs's tape over thousands of small ops. `tapeObjective` below is the
 * same J built from plain tfjs ops: the reference the engine's gradients are tested against.
 */
import * as tf from '@tensorflow/tfjs';
import { backpropagate } from '../imagination/backward';
import { backwardStack, disposeStack, forwardStack } from '../imagination/denseStack';
import { FrozenEnsemble } from '../imagination/frozenEnsemble';
import { imaginedReturn } from '../imagination/imaginedReturn';
import { PolicyFolder } from '../imagination/policyStep';
import { modelReward, type RewardTerm } from '../imagination/rewardTerm';
import { imagine, type ImaginedRollout } from '../imagination/rollout';
import { FusedPolicyGradient, fusedUnsupported } from '../imagination/webgpu/fusedPolicyGradient';
import type { Policy } from '../models/policy';
import type { PolicyTrace } from '../imagination/policyStep';
import type { Rng } from '../rng';
import type { Critic } from './critic';
import type { PolicyNetwork } from './policyNetwork';
import type { ImaginedGradient, PolicyGradient } from './policyGradient';
import { PolicyOptimizer } from './policyOptimizer';
import {
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
      return policy.shape.actionSpace.kind === 'box'
        ? policy.squash(head)
        : (tf.softmax(head) as tf.Tensor2D);
    });
}

/**
 * ∇_θ J through imagined rollouts of a model frozen for the phase (folded once here). `step` runs
 * one rollout from the starts given, for the policy as it is now.
 */
export class ImaginedPolicyGradient implements ImaginedGradient {
  readonly path = 'engine' as const;

  private constructor(
    private readonly ensemble: FrozenEnsemble,
    private readonly folder: PolicyFolder,
    private readonly context: Pick<ImprovementContext, 'model' | 'policy' | 'settings'>,
  ) {}

  static async create(
    context: Pick<ImprovementContext, 'model' | 'policy' | 'settings'>,
  ): Promise<ImaginedPolicyGradient> {
    const { model, policy, settings } = context;
    const ensemble = await FrozenEnsemble.fromModel(model, {
      reward: settings.reward,
      actionInput: policy.shape.actionSpace.kind === 'box' ? 'squashed' : 'env',
    });
    return new ImaginedPolicyGradient(
      ensemble,
      new PolicyFolder(policy, ensemble.columns),
      context,
    );
  }

  step(critic: Critic, starts: tf.Tensor2D, rng: Rng): PolicyGradient {
    const { model, policy, settings } = this.context;
    const { ensemble } = this;
    const space = policy.shape.actionSpace;
    const useCvar = settings.risk.kind === 'cvar' && model.config.members > 1;
    const risk = useCvar
      ? { kind: 'cvar' as const, alpha: settings.risk.alpha, members: model.config.members }
      : { kind: 'mean' as const };
    const H = settings.horizon;
    const differentiable = this.folder.fold();
    let rollout: ImaginedRollout<PolicyTrace> | null = null;
    let term: RewardTerm | null = null;
    try {
      rollout = imagine(ensemble, model.knownReward, starts, differentiable, {
        horizon: H,
        member: useCvar ? 'all' : 'random',
        rng,
        keep: true,
      });
      const imagined = rollout;
      const rewardContext = {
        knownReward: model.knownReward,
        actionSpace: space,
        learnedReward: settings.reward === 'learned',
      };
      term = (settings.imaginedReward ?? modelReward)(imagined, rewardContext);
      const rewards = term.rewards;
      const criticStack = critic.fold();
      const seeds = tf.tidy(() => {
        const [, R, d] = imagined.observations.shape;
        const final = tf.reshape(tf.slice(imagined.observations, [H, 0, 0], [1, R, d]), [
          R,
          d,
        ]) as tf.Tensor2D;
        const trace = forwardStack(criticStack, final);
        // Gradients of −J: the optimiser minimises the policy's loss.
        const objective = imaginedReturn(
          rewards,
          trace.output,
          imagined.alive,
          settings.discount,
          risk,
          -1,
        );
        const { dx } = backwardStack(criticStack, trace, objective.terminalGradient);
        return {
          loss: tf.neg(objective.value) as tf.Scalar,
          rewardGradient: objective.rewardGradient,
          finalObservation: dx as tf.Tensor2D,
        };
      });
      disposeStack(criticStack);
      const fromRewards = term.backward(seeds.rewardGradient);
      try {
        backpropagate(imagined, ensemble, differentiable, {
          finalObservation: seeds.finalObservation,
          ...fromRewards,
        });
      } finally {
        tf.dispose([
          seeds.rewardGradient,
          seeds.finalObservation,
          ...Object.values(fromRewards).filter((t): t is tf.Tensor2D => t !== null),
        ]);
      }
      const gradients = differentiable.gradients();
      const ownedTerm = term;
      return {
        loss: seeds.loss,
        gradients,
        trajectories: { observations: imagined.observations, rewards, alive: imagined.alive },
        dispose: () => {
          tf.dispose([seeds.loss, ...gradients]);
          ownedTerm.dispose();
          imagined.dispose();
        },
      };
    } catch (error) {
      term?.dispose();
      rollout?.dispose();
      throw error;
    } finally {
      differentiable.dispose();
    }
  }

  dispose(): void {
    this.folder.dispose();
    this.ensemble.dispose();
  }
}

/**
 * The fused WebGPU programs where the backend is WebGPU and they cover the context (the model's
 * own reward), the engine otherwise. `onlyEngine` keeps the engine (for the benchmark's rows).
 */
export async function createImaginedGradient(
  context: Pick<ImprovementContext, 'model' | 'policy' | 'settings' | 'critic'>,
  onlyEngine = false,
): Promise<ImaginedGradient> {
  if (!onlyEngine && fusedUnsupported(context, context.critic) === null)
    return FusedPolicyGradient.create(context, context.critic);
  return ImaginedPolicyGradient.create(context);
}

export class GradientImprover implements PolicyImprover {
  readonly name = 'gradient';
  private readonly optimizer = new PolicyOptimizer('GradientImprover');

  /** `onlyEngine`: keep the engine's path on WebGPU too (the benchmark's comparison). */
  constructor(
    private readonly learningRate: number,
    private readonly onlyEngine = false,
  ) {}

  async improve(
    context: ImprovementContext,
    steps: number,
    onStep?: (step: number) => void,
  ): Promise<ImprovementResult> {
    const { policy, critic, buffer, settings, rng } = context;
    const optimizer = this.optimizer.for(policy);
    const gradient = await createImaginedGradient(context, this.onlyEngine);
    let policyLoss = Number.NaN;
    let criticLoss = Number.NaN;
    try {
      for (let step = 0; step < steps; step++) {
        const last = step + 1 === steps;
        const starts = sampleStartObservations(buffer, settings.rollouts, rng);
        let pass: PolicyGradient | null = null;
        try {
          pass = gradient.step(critic, starts, rng);
          optimizer.apply(pass.gradients, { learningRate: this.learningRate, weightDecay: 0 });
          // Reads are sync points: only the last step's figures are reported.
          if (last) policyLoss = (await pass.loss.data())[0];
          criticLoss = await critic.train(
            pass.trajectories,
            settings.discount,
            settings.lambda,
            last,
          );
        } finally {
          starts.dispose();
          pass?.dispose();
        }
        onStep?.(step + 1);
      }
    } finally {
      gradient.dispose();
    }
    return { steps, policyLoss, criticLoss, imaginedReturn: -policyLoss };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
