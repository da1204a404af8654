/**
 * ∇_θ J through imagined rollouts on WebGPU in three dispatches (fusedShaders.ts): the forward
 * rollout of every row and step, the backward pass through time, and the sum over rows into the
 * policy's gradient tensors. The same J and gradient as the imagination engine's
 * (gradientImprover.ts's ImaginedPolicyGradient), for the model's own reward, known or learned,
 * mean or CVaR, and for the Error-MDP's error signals (the error head, the disagreement); MnM's
 * classifier bonus runs on the engine.
 * The model is folded once for the phase (memberFolding.ts) into a constant buffer; each step
 * packs the policy's and the critic's weights into one buffer by copies and draws the random
 * members on the host, from the same stream and in the same order as the engine.
 */
import * as tf from '@tensorflow/tfjs';
import { actionFeatureDim } from '../../models/actions';
import type { WorldModel } from '../../models/worldModel';
import type { Critic } from '../../policies/critic';
import type { ImprovementContext } from '../../policies/improver';
import type { ImaginedGradient, PolicyGradient } from '../../policies/policyGradient';
import type { PolicyNetwork } from '../../policies/policyNetwork';
import type { Rng } from '../../rng';
import { foldModel } from '../memberFolding';
import type { RewriteDescription } from '../rewardTerm';
import { fusedProblem } from './fusedCoverage';
import { makePlan, type FusedPlan, type MemberActivation } from './fusedPlan';
import { backwardShader, forwardShader, reduceShader, type ReduceSegment } from './fusedShaders';
import {
  dispatch,
  fusedPipeline,
  gpuOutput,
  packInto,
  webgpuInternals,
  type FusedPipeline,
} from './tfjsWebgpu';
import { REDUCE_OUTPUTS, WORKGROUP } from './wgslMath';

type Context = Pick<ImprovementContext, 'model' | 'policy' | 'settings'>;

/** Why the fused path cannot run this context, or null when it can. */
export function fusedUnsupported(context: Context, critic: Critic): string | null {
  const backend = webgpuInternals();
  if (typeof backend === 'string') return backend;
  const { model, settings, policy } = context;
  const space = policy.shape.actionSpace;
  return fusedProblem({
    rewrite:
      settings.imaginedReward !== undefined && settings.imaginedReward.description === undefined,
    boxDimensions: space.kind === 'box' ? space.dim : null,
    reward: settings.reward,
    widths: [
      model.config.hiddenUnits,
      policy.shape.width,
      ...critic.network().weights.map((w) => w.shape[1]),
    ],
  });
}

interface Programs {
  readonly forward: FusedPipeline;
  readonly backward: FusedPipeline;
  readonly reduce: readonly { pipeline: FusedPipeline; segments: readonly Target[] }[];
}

/** Where a reduce segment's sum goes: a policy variable's gradient, or the loss. */
interface Target extends ReduceSegment {
  readonly shape: number[];
  /** Index into the policy's variables; −1: the loss. */
  readonly variable: number;
}

export class FusedPolicyGradient implements ImaginedGradient {
  readonly path = 'fused-webgpu' as const;

  private constructor(
    private readonly plan: FusedPlan,
    private readonly programs: Programs,
    private readonly constants: tf.Tensor,
    private readonly context: Context,
  ) {}

  static async create(context: Context, critic: Critic): Promise<FusedPolicyGradient> {
    const reason = fusedUnsupported(context, critic);
    if (reason !== null) throw new Error(`fused WebGPU path: ${reason}`);
    const { model, policy, settings } = context;
    const space = policy.shape.actionSpace;
    const cvar = settings.risk.kind === 'cvar' && model.config.members > 1;
    const E = model.config.members;
    const d = model.observationDim;
    const f = actionFeatureDim(space);
    const criticNetwork = critic.network();
    const description = settings.imaginedReward?.description ?? null;
    // A rewritten reward replaces the learned one: the members then predict Δo alone.
    const reward = description === null ? settings.reward : 'known';
    const plan = makePlan({
      horizon: settings.horizon,
      starts: settings.rollouts,
      members: E,
      memberChoice: cvar ? 'all' : 'random',
      worstMembers: cvar ? Math.max(1, Math.ceil(settings.risk.alpha * E)) : null,
      discount: settings.discount,
      policy: [d, ...policy.weights.map((w) => w.shape[1] as number)],
      member: [
        d + f,
        ...Array<number>(model.config.hiddenLayers).fill(model.config.hiddenUnits),
        d + (reward === 'learned' ? 1 : 0),
      ],
      memberActivation: memberActivation(model),
      critic: [d, ...criticNetwork.weights.map((w) => w.shape[1])],
      action:
        space.kind === 'box'
          ? { kind: 'box', low: space.low, high: space.high }
          : { kind: 'discrete' },
      reward,
      env: { id: model.spec.id, params: model.physicalParams },
      rewrite:
        description === null
          ? null
          : description.kind === 'errorHead'
            ? {
                kind: 'errorHead',
                sizes: [d + f, ...description.network.weights.map((w) => w.shape[1])],
                scale: description.scale,
              }
            : { kind: 'disagreement' },
    });
    const constants = await packConstants(model, policy, critic, plan, reward, description);
    try {
      const programs = await compilePrograms(plan, policy);
      return new FusedPolicyGradient(plan, programs, constants, context);
    } catch (error) {
      constants.dispose();
      throw error;
    }
  }

  step(critic: Critic, starts: tf.Tensor2D, rng: Rng): PolicyGradient {
    const { plan } = this;
    const { policy } = this.context;
    const { horizon: H, rows: R, observation: d } = plan;
    if (starts.shape[0] !== plan.starts || starts.shape[1] !== d)
      throw new Error(
        `fused WebGPU path: starts [${starts.shape}] for a plan of ${plan.starts} × ${d}`,
      );
    const memberOf = tf.tensor1d(memberIndices(plan, rng), 'int32');
    const params = gpuOutput([plan.paramsSize]);
    const criticNetwork = critic.network();
    packInto(params, [
      ...policy.weights.map((tensor, l) => ({ tensor, at: plan.policyOffsets.weights[l] })),
      ...policy.biases.map((tensor, l) => ({ tensor, at: plan.policyOffsets.biases[l] })),
      ...criticNetwork.weights.map((tensor, l) => ({ tensor, at: plan.criticOffsets.weights[l] })),
      ...criticNetwork.biases.map((tensor, l) => ({ tensor, at: plan.criticOffsets.biases[l] })),
    ]);
    const observations = gpuOutput([H + 1, R, d]) as tf.Tensor3D;
    const rewards = gpuOutput([H, R]) as tf.Tensor2D;
    const alive = gpuOutput([H, R]) as tf.Tensor2D;
    const tape = gpuOutput([R * plan.tapeRow]);
    const partials = gpuOutput([R * plan.partialsRow]);
    const results: tf.Tensor[] = [];
    try {
      dispatch(
        this.programs.forward,
        [params, this.constants, starts, memberOf, observations, rewards, alive, tape],
        R,
      );
      dispatch(
        this.programs.backward,
        [params, this.constants, observations, rewards, alive, tape, memberOf, partials],
        R,
      );
      const outputs = new Map<number, tf.Tensor>();
      for (const { pipeline, segments } of this.programs.reduce) {
        const written = segments.map((segment) => gpuOutput(segment.shape));
        results.push(...written);
        const size = segments.reduce((sum, s) => sum + s.size, 0);
        dispatch(pipeline, [partials, ...written], Math.ceil(size / WORKGROUP));
        segments.forEach((segment, k) => outputs.set(segment.variable, written[k]));
      }
      const loss = tf.reshape(outputs.get(-1) as tf.Tensor, []) as tf.Scalar;
      const gradients = policy.variables.map(
        (variable, i) => outputs.get(i) ?? tf.zeros(variable.shape),
      );
      (outputs.get(-1) as tf.Tensor).dispose();
      return {
        loss,
        gradients,
        trajectories: { observations, rewards, alive },
        dispose: () => tf.dispose([loss, ...gradients, observations, rewards, alive]),
      };
    } catch (error) {
      tf.dispose([observations, rewards, alive, ...results]);
      throw error;
    } finally {
      tf.dispose([memberOf, params, tape, partials]);
    }
  }

  dispose(): void {
    this.constants.dispose();
  }
}

/** The folded model's hidden activation: tanh runs as σ(2z), folded into the weights. */
function memberActivation(model: WorldModel): MemberActivation {
  const activation = model.config.activation;
  return activation === 'tanh' ? 'sigmoid' : activation;
}

/**
 * The member of each step and row, [H·R]: 'random' draws rng.int(E) step-major as the engine's
 * memberMasks does, so a seed picks the same members on both paths; 'all' is row m·B + b → m.
 */
function memberIndices(plan: FusedPlan, rng: Rng): Int32Array {
  const { horizon: H, rows: R, members: E, starts: B } = plan;
  const indices = new Int32Array(H * R);
  for (let t = 0; t < H; t++)
    for (let r = 0; r < R; r++)
      indices[t * R + r] = plan.memberChoice === 'random' ? rng.int(E) : Math.floor(r / B);
  return indices;
}

async function packConstants(
  model: WorldModel,
  policy: PolicyNetwork,
  critic: Critic,
  plan: FusedPlan,
  reward: 'known' | 'learned',
  rewrite: RewriteDescription | null,
): Promise<tf.Tensor> {
  const { perMember } = await foldModel(model, {
    reward,
    actionInput: plan.action.kind === 'box' ? 'squashed' : 'env',
  });
  const constants = new Float32Array(plan.constantsSize);
  perMember.forEach((layers, m) => {
    const base = m * plan.memberStride;
    layers.forEach((layer, l) => {
      constants.set(layer.weight, base + plan.memberOffsets.weights[l]);
      constants.set(layer.bias, base + plan.memberOffsets.biases[l]);
    });
  });
  const criticNetwork = critic.network();
  const d = plan.observation;
  const normalisation = (at: number, values: Float32Array | undefined, fallback: number) => {
    for (let i = 0; i < d; i++) constants[at + i] = values?.[i] ?? fallback;
  };
  normalisation(plan.policyMean, policy.shape.inputMean, 0);
  normalisation(plan.policyScale, policy.shape.inputScale, 1);
  normalisation(plan.criticMean, criticNetwork.inputMean, 0);
  normalisation(plan.criticScale, criticNetwork.inputScale, 1);
  if (rewrite?.kind === 'errorHead') {
    const { network } = rewrite;
    const [weights, biases] = await Promise.all([
      Promise.all(network.weights.map((w) => w.data() as Promise<Float32Array>)),
      Promise.all(network.biases.map((b) => b.data() as Promise<Float32Array>)),
    ]);
    weights.forEach((w, l) => constants.set(w, plan.rewriteOffsets.weights[l]));
    biases.forEach((b, l) => constants.set(b, plan.rewriteOffsets.biases[l]));
    const columns = plan.observation + plan.features;
    for (let i = 0; i < columns; i++) {
      constants[plan.rewriteMean + i] = network.inputMean?.[i] ?? 0;
      constants[plan.rewriteScale + i] = network.inputScale?.[i] ?? 1;
    }
  } else if (rewrite?.kind === 'disagreement') {
    constants.set(rewrite.deltaStd.subarray(0, d), plan.deltaStd);
  }
  return tf.tensor1d(constants);
}

async function compilePrograms(plan: FusedPlan, policy: PolicyNetwork): Promise<Programs> {
  const L = policy.weights.length;
  const targets: Target[] = [
    ...policy.weights.map((w, l) => ({
      from: plan.policyOffsets.weights[l],
      size: w.size,
      scale: 1,
      shape: w.shape,
      variable: l,
    })),
    ...policy.biases.map((b, l) => ({
      from: plan.policyOffsets.biases[l],
      size: b.size,
      scale: 1,
      shape: b.shape,
      variable: L + l,
    })),
    { from: plan.policyOffsets.size, size: 1, scale: -1, shape: [1], variable: -1 },
  ];
  const chunks: Target[][] = [];
  for (let i = 0; i < targets.length; i += REDUCE_OUTPUTS)
    chunks.push(targets.slice(i, i + REDUCE_OUTPUTS));
  const [forward, backward, ...reduce] = await Promise.all([
    fusedPipeline(forwardShader(plan), [
      ...Array<'read'>(4).fill('read'),
      ...Array<'read_write'>(4).fill('read_write'),
    ]),
    fusedPipeline(backwardShader(plan), [...Array<'read'>(7).fill('read'), 'read_write']),
    ...chunks.map((segments) =>
      fusedPipeline(reduceShader(plan, segments), [
        'read',
        ...segments.map(() => 'read_write' as const),
      ]),
    ),
  ]);
  return {
    forward,
    backward,
    reduce: reduce.map((pipeline, k) => ({ pipeline, segments: chunks[k] })),
  };
}
