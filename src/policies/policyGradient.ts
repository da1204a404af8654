/**
 * What an optimiser in imagination gets from one gradient step, whichever path computed it: the
 * imagination engine's kernels (gradientImprover.ts) or the fused WebGPU programs
 * (imagination/webgpu/fusedPolicyGradient.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { Critic, ImaginedTrajectories } from './critic';

/** One step's −J, ∂(−J)/∂θ for the policy's variables, and the rollout the critic learns from. */
export interface PolicyGradient {
  readonly loss: tf.Scalar;
  /** In the order of the policy's `variables`. */
  readonly gradients: tf.Tensor[];
  /** The rollout's observations, r̃ [H, R] (what J summed) and alive mask. */
  readonly trajectories: ImaginedTrajectories;
  dispose(): void;
}

/** ∇_θ J through imagined rollouts of a model frozen for the phase. */
export interface ImaginedGradient {
  /** Which path computes it, as the page names it. */
  readonly path: 'engine' | 'fused-webgpu';
  /** One rollout from `starts` for the policy as it is now. */
  step(critic: Critic, starts: tf.Tensor2D, rng: Rng): PolicyGradient;
  dispose(): void;
}
