/**
 * REINFORCE with a baseline, on imagined rollouts (no gradient through the model):
 *   a_t ~ π_θ(·|o_t),   r̃_t = r_t + ε_t,  ε_t ~ N(0, σ²)   (the optional reward noise),
 *   G_t = Σ_{k≥t} γ^{k−t} r̃_k,   A_t = G_t − V(o_t)   (normalised over the batch),
 *   θ ← Adam(θ, ∇_θ −mean_t[ alive_t · log π_θ(a_t|o_t) · A_t ]),   then V ← TD(λ).
 * Zero-mean reward noise leaves the expected gradient unchanged and only adds variance, which
 * is the point "On Training in Imagination" makes; the lab can measure it.
 *
 * The rollout runs on the imagination engine's frozen model; the score-function gradient is
 * written out (box: ∂log π/∂μ = z/σ, ∂log π/∂log σ = z² − 1 with z = (u − μ)/σ; discrete:
 * ∂log π/∂logits = onehot(a) − softmax) and backpropagated through the policy's layers once,
 * over all steps' rows together.
 */
import * as tf from '@tensorflow/tfjs';
import {
  applyStack,
  backwardStack,
  disposeStack,
  forwardStack,
  weightGradients,
  type DenseStack,
} from '../imagination/denseStack';
import { FrozenEnsemble } from '../imagination/frozenEnsemble';
import { matMul } from '../imagination/kernels';
import { modelReward } from '../imagination/rewardTerm';
import { imagine, type StepPolicy } from '../imagination/rollout';
import { TanhFolder } from '../imagination/tanhFold';
import type { Policy } from '../models/policy';
import { tidyKeeping } from '../models/tidy';
import type { Rng } from '../rng';
import {
  sampleStartObservations,
  type ImprovementContext,
  type ImprovementResult,
  type PolicyImprover,
} from './improver';
import type { PolicyNetwork } from './policyNetwork';
import { PolicyOptimizer } from './policyOptimizer';

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);
const SQUASH_LIMIT = 1 - 1e-6;

/** Samples actions in env format: box values, or discrete indices as a float column (plain tfjs ops). */
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

/** log π_θ(a|o) for env-format actions [R, 1] → [R], differentiable in θ by the tape. */
export function logProbability(
  policy: PolicyNetwork,
  observations: tf.Tensor2D,
  actions: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const head = policy.head(observations);
    const space = policy.shape.actionSpace;
    if (space.kind === 'box') {
      const u = preSquash(actions, space.low, space.high);
      const std = policy.logStd.exp();
      const z = u.sub(head).div(std);
      // The tanh Jacobian depends on the sampled u only, not on θ: it drops out of the gradient.
      return z
        .square()
        .mul(-0.5)
        .sub(policy.logStd)
        .sub(LOG_SQRT_TWO_PI)
        .reshape([-1]) as tf.Tensor1D;
    }
    const logits = tf.logSoftmax(head);
    const indices = actions.reshape([-1]).toInt();
    return logits.mul(tf.oneHot(indices, space.n)).sum(1) as tf.Tensor1D;
  });
}

/** u = atanh of the action mapped back into (−1, 1): the Gaussian sample before the squash. */
function preSquash(actions: tf.Tensor2D, low: number, high: number): tf.Tensor2D {
  const half = (high - low) / 2;
  return tf.atanh(
    tf.clipByValue(tf.div(tf.sub(actions, low + half), half), -SQUASH_LIMIT, SQUASH_LIMIT),
  ) as tf.Tensor2D;
}

/**
 * The sampling policy as a rollout step, on the folded network (one kernel per layer): box
 * features s = σ(2(μ + σ·ε)) (so a = low + (high − low)·s = the squashed sample), discrete
 * one-hots of a categorical draw. The same draws as `samplingPolicy`: one seed per step.
 */
function samplingStep(policy: PolicyNetwork, stack: DenseStack, rng: Rng): StepPolicy<null> {
  const space = policy.shape.actionSpace;
  return {
    act: (state) => {
      if (space.kind === 'box') {
        // The stack's output is 2μ (the folded output scale k = 2).
        const features = tf.tidy(() => {
          const twiceMean = applyStack(stack, state);
          const noise = tf.randomNormal(twiceMean.shape, 0, 1, 'float32', rng.seed32());
          return tf.sigmoid(
            tf.add(twiceMean, tf.mul(noise, tf.mul(tf.exp(policy.logStd), 2))),
          ) as tf.Tensor2D;
        });
        return { features, action: null, trace: null };
      }
      const { features, action } = tf.tidy(() => {
        const action = tf.cast(
          tf.multinomial(applyStack(stack, state), 1, rng.seed32()),
          'float32',
        ) as tf.Tensor2D;
        return {
          action,
          features: tf
            .oneHot(tf.cast(tf.reshape(action, [-1]), 'int32'), space.n)
            .toFloat() as tf.Tensor2D,
        };
      });
      return { features, action, trace: null };
    },
    envActions: (features) => {
      if (space.kind !== 'box')
        throw new Error('samplingStep: discrete actions are returned by act');
      return tf.tidy(
        () => tf.add(tf.mul(features, space.high - space.low), space.low) as tf.Tensor2D,
      );
    },
  };
}

/**
 * Advantages as the improver uses them, centred and scaled by their batch moments (`normalised`),
 * or as G_t − V(o_t) (`raw`): the estimator whose expectation zero-mean reward noise leaves
 * unchanged, which the noise benchmark measures.
 */
export type AdvantageScale = 'normalised' | 'raw';

/** One REINFORCE estimate on fresh imagined rollouts; the caller disposes it. */
export interface ReinforceEstimate {
  readonly loss: tf.Tensor;
  /** The mean return-to-go from the first step, with the noise. */
  readonly meanReturn: tf.Tensor;
  /** ∇_θ of the loss, in the policy's variable order (weights, biases, then log σ for boxes). */
  readonly grads: tf.Tensor[];
  /** What the critic trains on: the rollout's observations, the noisy rewards and alive mask. */
  readonly trajectories: {
    readonly observations: tf.Tensor3D;
    readonly rewards: tf.Tensor2D;
    readonly alive: tf.Tensor2D;
  };
  dispose(): void;
}

/** Draws REINFORCE estimates for the policy as it is at each call, in the context's model. */
export interface ReinforceEstimator {
  estimate(advantages: AdvantageScale): ReinforceEstimate;
  dispose(): void;
}

export async function reinforceEstimator(context: ImprovementContext): Promise<ReinforceEstimator> {
  const { model, policy, critic, buffer, settings, rng } = context;
  const space = policy.shape.actionSpace;
  const H = settings.horizon;
  const ensemble = await FrozenEnsemble.fromModel(model, {
    reward: settings.reward,
    actionInput: space.kind === 'box' ? 'squashed' : 'env',
  });
  // The sampler's stack ends in 2μ (box) or the logits; the score's in μ or the logits.
  const sampler = new TanhFolder(network(policy), {
    output: space.kind === 'box' ? 'squash' : 'linear',
    inputColumns: ensemble.columns.state,
  });
  const scorer = new TanhFolder(network(policy), { output: 'linear' });
  const rewardContext = {
    knownReward: model.knownReward,
    actionSpace: space,
    learnedReward: settings.reward === 'learned',
  };
  // G_t = Σ_{k≥t} γ^{k−t} r̃_k: one matMul by the upper-triangular powers of γ.
  const powers = new Float32Array(H * H);
  for (let t = 0; t < H; t++)
    for (let k = t; k < H; k++) powers[t * H + k] = settings.discount ** (k - t);

  const estimate = (advantageScale: AdvantageScale): ReinforceEstimate => {
    const owned: tf.Tensor[] = [];
    const own = <T extends tf.Tensor>(t: T): T => {
      owned.push(t);
      return t;
    };
    // What the estimate hands over: disposed here only if it is never handed over.
    const handedOver: tf.Tensor[] = [];
    let handed = false;
    const stacks: DenseStack[] = [];
    try {
      const starts = own(sampleStartObservations(buffer, settings.rollouts, rng));
      const samplerStack = sampler.fold(network(policy));
      stacks.push(samplerStack);
      // The sampler's folded output is σ(2μ)'s argument only when squashing: use its linear 2μ.
      const rollout = imagine(
        ensemble,
        model.knownReward,
        starts,
        samplingStep(policy, linearOutput(samplerStack), rng),
        { horizon: H, member: 'random', rng },
      );
      owned.push(rollout.actions, rollout.features, rollout.rewards);
      handedOver.push(rollout.observations, rollout.alive);
      const term = (settings.imaginedReward ?? modelReward)(rollout, rewardContext);
      const R = rollout.rows;
      const noisyRewards = tf.tidy(() => {
        if (settings.rewardNoiseStd === 0) return term.rewards.clone();
        const noise = tf.randomNormal([H, R], 0, settings.rewardNoiseStd, 'float32', rng.seed32());
        return tf.add(term.rewards, tf.mul(noise, rollout.alive)) as tf.Tensor2D;
      });
      handedOver.push(noisyRewards);
      term.dispose();
      const scorerStack = scorer.fold(network(policy));
      stacks.push(scorerStack);
      const { loss, meanReturn, grads } = tidyKeeping(() => {
        const d = rollout.observations.shape[2];
        const returnsToGo = matMul(tf.tensor2d(powers, [H, H]), noisyRewards);
        const before = tf.reshape(tf.slice(rollout.observations, [0, 0, 0], [H, R, d]), [
          H * R,
          d,
        ]) as tf.Tensor2D;
        const baseline = tf.reshape(
          critic.valueOfSteps(tf.reshape(before, [H, R, d]) as tf.Tensor3D),
          [H, R],
        );
        const raw = tf.sub(returnsToGo, baseline);
        let scaled: tf.Tensor = raw;
        if (advantageScale === 'normalised') {
          const moments = tf.moments(raw);
          scaled = tf.div(tf.sub(raw, moments.mean), tf.add(tf.sqrt(moments.variance), 1e-6));
        }
        const advantages = tf.reshape(tf.mul(scaled, rollout.alive), [H * R, 1]);
        const actions = tf.reshape(rollout.actions, [H * R, -1]) as tf.Tensor2D;
        const n = H * R;
        const trace = forwardStack(scorerStack, before);
        let loss: tf.Tensor;
        let dHead: tf.Tensor2D;
        let dLogStd: tf.Tensor | null = null;
        if (space.kind === 'box') {
          const std = tf.exp(policy.logStd);
          const z = tf.div(tf.sub(preSquash(actions, space.low, space.high), trace.output), std);
          const logProb = tf.sub(
            tf.sub(tf.mul(tf.square(z), -0.5), policy.logStd),
            LOG_SQRT_TWO_PI,
          );
          loss = tf.neg(tf.mean(tf.mul(logProb, advantages)));
          // ∂(−mean A·log π)/∂μ = −A·z/(σ·n),  ∂/∂log σ = −Σ A·(z² − 1)/n
          dHead = tf.div(tf.mul(tf.mul(advantages, z), -1 / n), std) as tf.Tensor2D;
          dLogStd = tf.reshape(tf.div(tf.sum(tf.mul(advantages, tf.sub(tf.square(z), 1))), -n), []);
        } else {
          const logits = trace.output;
          const oneHot = tf.oneHot(tf.cast(tf.reshape(actions, [-1]), 'int32'), space.n);
          loss = tf.neg(
            tf.mean(tf.mul(tf.sum(tf.mul(tf.logSoftmax(logits), oneHot), 1, true), advantages)),
          );
          // ∂(−mean A·log π)/∂logits = −A·(onehot − softmax)/n
          dHead = tf.mul(
            tf.sub(oneHot, tf.softmax(logits)),
            tf.mul(advantages, -1 / n),
          ) as tf.Tensor2D;
        }
        const { dz } = backwardStack(scorerStack, trace, dHead, false);
        const folded = dz.map((layerDz, l) => weightGradients([trace.inputs[l]], [layerDz]));
        const { weights, biases } = scorer.unfoldGradients(folded);
        const grads: tf.Tensor[] = [...weights, ...biases];
        if (dLogStd !== null) grads.push(dLogStd);
        return { loss, meanReturn: tf.mean(tf.slice(returnsToGo, [0, 0], [1, R])), grads };
      });
      handedOver.push(loss, meanReturn, ...grads);
      handed = true;
      return {
        loss,
        meanReturn,
        grads,
        trajectories: {
          observations: rollout.observations,
          rewards: noisyRewards,
          alive: rollout.alive,
        },
        dispose: () => tf.dispose(handedOver),
      };
    } finally {
      tf.dispose(owned);
      if (!handed) tf.dispose(handedOver);
      stacks.forEach(disposeStack);
    }
  };

  return {
    estimate,
    dispose: () => {
      sampler.dispose();
      scorer.dispose();
      ensemble.dispose();
    },
  };
}

export class ReinforceImprover implements PolicyImprover {
  readonly name = 'reinforce';
  private readonly optimizer = new PolicyOptimizer('ReinforceImprover');

  constructor(private readonly learningRate: number) {}

  async improve(
    context: ImprovementContext,
    steps: number,
    onStep?: (step: number) => void,
  ): Promise<ImprovementResult> {
    const { policy, critic, settings } = context;
    const optimizer = this.optimizer.for(policy);
    const estimator = await reinforceEstimator(context);
    let policyLoss = Number.NaN;
    let criticLoss = Number.NaN;
    let imaginedReturn = Number.NaN;
    try {
      for (let step = 0; step < steps; step++) {
        const last = step + 1 === steps;
        const estimate = estimator.estimate('normalised');
        try {
          optimizer.apply(estimate.grads, { learningRate: this.learningRate, weightDecay: 0 });
          if (last) {
            policyLoss = (await estimate.loss.data())[0];
            imaginedReturn = (await estimate.meanReturn.data())[0];
          }
          criticLoss = await critic.train(
            estimate.trajectories,
            settings.discount,
            settings.lambda,
            last,
          );
        } finally {
          estimate.dispose();
        }
        onStep?.(step + 1);
      }
    } finally {
      estimator.dispose();
    }
    return { steps, policyLoss, criticLoss, imaginedReturn };
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

function network(policy: PolicyNetwork) {
  return {
    weights: policy.weights as unknown as tf.Tensor2D[],
    biases: policy.biases as unknown as tf.Tensor1D[],
    inputMean: policy.shape.inputMean,
    inputScale: policy.shape.inputScale,
  };
}

/** The stack with its last layer linear: the squashing folder's output before its sigmoid (2μ). */
function linearOutput(stack: DenseStack): DenseStack {
  const layers = stack.layers.map((layer, l) =>
    l + 1 === stack.layers.length ? { ...layer, activation: 'linear' as const } : layer,
  );
  return { layers, transposed: stack.transposed };
}
