/**
 * The shapes of one fused imagined gradient step and where everything sits in its buffers. The
 * WGSL programs (fusedShaders.ts) bake these numbers in, so a plan is also the pipeline cache's key.
 *   params     (changes every step)   the policy's W_l, b_l, then the critic's, as the networks hold them
 *   constants  (fixed for the phase)  every member's folded layers, then the policy's and the
 *                                     critic's input normalisation
 *   tape       per row, per step      the policy's hidden activations, its features, the member's
 *                                     hidden pre-activations; after the last step V(o_H)
 *   partials   per row                ∂(−J)/∂(policy parameters) of the row, then w_r·G_r
 */
import type { EnvId, PhysicalParams } from '../../envs/types';

export type MemberActivation = 'sigmoid' | 'relu' | 'elu' | 'silu';

export type FusedAction =
  | { readonly kind: 'box'; readonly low: number; readonly high: number }
  | { readonly kind: 'discrete' };

/** The env whose known reward and termination the rollout applies. */
export interface FusedEnv {
  readonly id: EnvId;
  readonly params: PhysicalParams;
}

/** The Error-MDP's error signal in place of the model's reward (objectives/errorSignal.ts). */
export type FusedRewrite =
  | {
      readonly kind: 'errorHead';
      /** [d + f, hidden…, 1]: tanh hidden layers; ê = scale·softplus(z). */
      readonly sizes: readonly number[];
      readonly scale: number;
    }
  | { readonly kind: 'disagreement' };

export interface FusedShapes {
  readonly horizon: number;
  readonly starts: number;
  readonly members: number;
  /** 'all': every member runs every start (CVaR); 'random': a member per row and step. */
  readonly memberChoice: 'random' | 'all';
  /** CVaR: the worst ⌈α·E⌉ members of each start carry the return; null: the mean over rows. */
  readonly worstMembers: number | null;
  readonly discount: number;
  /** Layer sizes [d, hidden…, outputs] of the policy (tanh hidden layers, linear head). */
  readonly policy: readonly number[];
  /** [d + f, hidden…, d (+1 with a learned reward)]: a member's folded layers. */
  readonly member: readonly number[];
  readonly memberActivation: MemberActivation;
  /** [d, hidden…, 1]: the critic (tanh hidden layers, linear head). */
  readonly critic: readonly number[];
  readonly action: FusedAction;
  /** 'learned': the member's reward column; the env still says when an episode ends. */
  readonly reward: 'known' | 'learned';
  readonly env: FusedEnv;
  /** Replaces the reward; the members then predict Δo alone (`reward` is 'known'). */
  readonly rewrite: FusedRewrite | null;
}

export interface DenseOffsets {
  /** Offset of W_l ([in, out], row-major) and b_l per layer. */
  readonly weights: readonly number[];
  readonly biases: readonly number[];
  readonly size: number;
}

export interface FusedPlan extends FusedShapes {
  readonly rows: number;
  readonly observation: number;
  readonly features: number;
  readonly policyOffsets: DenseOffsets;
  readonly criticOffsets: DenseOffsets;
  /** Within one member's block of the constants; members sit `memberStride` apart. */
  readonly memberOffsets: DenseOffsets;
  readonly memberStride: number;
  readonly policyMean: number;
  readonly policyScale: number;
  readonly criticMean: number;
  readonly criticScale: number;
  /** The error head's layers and input normalisation ([d + f] each), or the disagreement's σ_Δ [d]. */
  readonly rewriteOffsets: DenseOffsets;
  readonly rewriteMean: number;
  readonly rewriteScale: number;
  readonly deltaStd: number;
  readonly constantsSize: number;
  readonly paramsSize: number;
  /** Per step of a row's tape: the policy's hidden layers, then its features, then the member's. */
  readonly tapePolicyHidden: readonly number[];
  readonly tapeFeatures: number;
  readonly tapeMemberHidden: readonly number[];
  readonly tapeStep: number;
  readonly tapeValue: number;
  readonly tapeRow: number;
  /** Partials per row: the policy's parameters (params' layout), then the row's w·G. */
  readonly partialsRow: number;
  /** The widest layer: the workgroup's scratch arrays. */
  readonly widest: number;
}

export function denseOffsets(sizes: readonly number[], start = 0): DenseOffsets {
  const weights: number[] = [];
  const biases: number[] = [];
  let at = start;
  for (let l = 0; l + 1 < sizes.length; l++) {
    weights.push(at);
    at += sizes[l] * sizes[l + 1];
    biases.push(at);
    at += sizes[l + 1];
  }
  return { weights, biases, size: at - start };
}

export function makePlan(shapes: FusedShapes): FusedPlan {
  const d = shapes.policy[0];
  const features = shapes.policy[shapes.policy.length - 1];
  if (shapes.member[0] !== d + features)
    throw new Error(
      `fused plan: a member reads ${shapes.member[0]} inputs, not d + f = ${d + features}`,
    );
  if (shapes.critic[0] !== d || shapes.critic[shapes.critic.length - 1] !== 1)
    throw new Error('fused plan: the critic maps an observation to one value');
  const learned = shapes.reward === 'learned';
  if (shapes.rewrite !== null && learned)
    throw new Error(
      'fused plan: a rewritten reward replaces the learned one (fold the members for the known)',
    );
  if (shapes.member[shapes.member.length - 1] !== d + (learned ? 1 : 0))
    throw new Error('fused plan: a member predicts Δo, and the reward when it is learned');
  const policyOffsets = denseOffsets(shapes.policy);
  const criticOffsets = denseOffsets(shapes.critic, policyOffsets.size);
  const memberOffsets = denseOffsets(shapes.member);
  const memberStride = memberOffsets.size;
  const policyMean = memberStride * shapes.members;
  const tapePolicyHidden: number[] = [];
  let at = 0;
  for (const width of shapes.policy.slice(1, -1)) {
    tapePolicyHidden.push(at);
    at += width;
  }
  const tapeFeatures = at;
  at += features;
  const tapeMemberHidden: number[] = [];
  for (const width of shapes.member.slice(1, -1)) {
    tapeMemberHidden.push(at);
    at += width;
  }
  const tapeStep = at;
  const rows = shapes.memberChoice === 'all' ? shapes.members * shapes.starts : shapes.starts;
  const rewriteAt = policyMean + 4 * d;
  const head = shapes.rewrite?.kind === 'errorHead' ? shapes.rewrite.sizes : null;
  if (head !== null && (head[0] !== d + features || head[head.length - 1] !== 1))
    throw new Error('fused plan: the error head maps [o, action] to one value');
  const rewriteOffsets = denseOffsets(head ?? [], rewriteAt);
  const rewriteMean = rewriteAt + rewriteOffsets.size;
  const rewriteScale = rewriteMean + (head === null ? 0 : d + features);
  const deltaStd = rewriteScale + (head === null ? 0 : d + features);
  return {
    ...shapes,
    rows,
    observation: d,
    features,
    policyOffsets,
    criticOffsets,
    memberOffsets,
    memberStride,
    policyMean,
    policyScale: policyMean + d,
    criticMean: policyMean + 2 * d,
    criticScale: policyMean + 3 * d,
    rewriteOffsets,
    rewriteMean,
    rewriteScale,
    deltaStd,
    constantsSize: deltaStd + (shapes.rewrite?.kind === 'disagreement' ? d : 0),
    paramsSize: policyOffsets.size + criticOffsets.size,
    tapePolicyHidden,
    tapeFeatures,
    tapeMemberHidden,
    tapeStep,
    tapeValue: tapeStep * shapes.horizon,
    tapeRow: tapeStep * shapes.horizon + 1,
    partialsRow: policyOffsets.size + 1,
    widest: Math.max(...shapes.policy, ...shapes.member, ...shapes.critic, ...(head ?? [])),
  };
}
