/**
 * Backpropagation through an imagined rollout, by hand. With D_t = ∂J/∂(state at step t) laid out
 * on the model's input columns (the feature columns carry nothing anyone reads):
 *   D_H = ∂J/∂o_H (the critic's bootstrap, the last reward's next state), ∂J/∂r_{H−1} (learned reward)
 *   for t = H−1 … 0:
 *     g_t = f̂_tᵀ·D_{t+1}                   through the chosen members (frozenEnsemble.ts)
 *         + ∂J/∂(o_t, f_t) of the rewards   (known reward, error signal, classifier bonus)
 *     D_t = D_{t+1} + g_t + π_tᵀ·g_t[f]       the identity of o_{t+1} = o_t + Δ, and the policy
 * The policy records each step's layer gradients as it goes (policyStep.ts).
 * The learned reward sits in the state's accumulator column, which the identity carries back
 * through every step: injecting ρ_{t−1} − ρ_t at step t (ρ_t = ∂J/∂r_t) leaves exactly ρ_t there
 * when step t reads it.
 */
import * as tf from '@tensorflow/tfjs';
import { tidyKeeping } from '../models/tidy';
import { stackDerivatives } from './denseStack';
import type { FrozenEnsemble } from './frozenEnsemble';
import { concatColumns, slice2d, splitRows } from './kernels';
import type { DifferentiablePolicy, PolicyTrace } from './policyStep';
import type { ImaginedRollout } from './rollout';

/** ∂J/∂ of what the rollout made, each step-major [H·R, ·] unless said; null: none. */
export interface RolloutGradients {
  /** ∂J/∂o_H [R, d]. */
  readonly finalObservation: tf.Tensor2D | null;
  /** Through each step's reward, to its own observation, features and next observation. */
  readonly before: tf.Tensor2D | null;
  readonly features: tf.Tensor2D | null;
  readonly after: tf.Tensor2D | null;
  /** ∂J/∂r̂_t [H, R] of the model's learned reward. */
  readonly learnedReward: tf.Tensor2D | null;
}

export function backpropagate(
  rollout: ImaginedRollout<PolicyTrace>,
  ensemble: FrozenEnsemble,
  policy: DifferentiablePolicy,
  gradients: RolloutGradients,
): void {
  const steps = rollout.steps;
  if (steps === null)
    throw new Error('backpropagate: the rollout kept nothing (imagine with keep: true)');
  const H = steps.length;
  const R = rollout.rows;
  const { observation: d, state, features: f, input } = ensemble.columns;
  const learned = state > d;
  if (gradients.learnedReward !== null && !learned)
    throw new Error('backpropagate: a learned-reward gradient for a known-reward ensemble');
  const { injections, last } = tidyKeeping(() => {
    const zeros = (rows: number, columns: number) => tf.zeros([rows, columns]) as tf.Tensor2D;
    // o_t's gradient through r_t, and through r_{t−1} as its next observation (shifted by a step).
    const after = gradients.after;
    const shiftedAfter =
      after === null
        ? null
        : (tf.concat([zeros(R, d), slice2d(after, [0, 0], [(H - 1) * R, d])], 0) as tf.Tensor2D);
    const observationParts = [gradients.before, shiftedAfter].filter(
      (t): t is tf.Tensor2D => t !== null,
    );
    const rho = gradients.learnedReward;
    const telescoped =
      rho === null
        ? null
        : tf.reshape(
            tf.sub(tf.concat([tf.zeros([1, R]), slice2d(rho, [0, 0], [H - 1, R])], 0), rho),
            [H * R, 1],
          );
    let injections: tf.Tensor2D[] | null = null;
    if (observationParts.length > 0 || telescoped !== null || gradients.features !== null) {
      const parts = [
        observationParts.length === 0
          ? zeros(H * R, d)
          : (tf.addN(observationParts) as tf.Tensor2D),
      ];
      if (learned) parts.push((telescoped as tf.Tensor2D | null) ?? zeros(H * R, 1));
      parts.push(gradients.features ?? zeros(H * R, f));
      injections = splitRows(concatColumns(parts), H);
    }
    const finalParts = [
      gradients.finalObservation,
      after === null ? null : slice2d(after, [(H - 1) * R, 0], [R, d]),
    ].filter((t): t is tf.Tensor2D => t !== null);
    const lastParts = [
      finalParts.length === 0 ? zeros(R, d) : (tf.addN(finalParts) as tf.Tensor2D),
    ];
    if (learned)
      lastParts.push(
        rho === null
          ? zeros(R, 1)
          : (tf.reshape(slice2d(rho, [H - 1, 0], [1, R]), [R, 1]) as tf.Tensor2D),
      );
    lastParts.push(zeros(R, input - state));
    return { injections, last: concatColumns(lastParts) };
  });
  // Every layer's act′ over all steps at once: a few kernels per layer, not a few per layer and step.
  const policyDerivatives = stackDerivatives(
    policy.stack,
    steps.map((step) => step.policy.stack),
  );
  const modelDerivatives = ensemble.hiddenDerivatives(steps.map((step) => step.ensemble));
  let D = last;
  try {
    for (let t = H - 1; t >= 0; t--) {
      const step = steps[t];
      const injection = injections?.[t] ?? null;
      const next = tf.tidy(() => {
        const throughModel = ensemble.backward(D, step.ensemble, modelDerivatives[t]);
        const g = injection === null ? throughModel : tf.add(throughModel, injection);
        const throughPolicy = policy.backward(g as tf.Tensor2D, step.policy, policyDerivatives[t]);
        return t === 0 ? tf.keep(throughPolicy) : (tf.addN([D, g, throughPolicy]) as tf.Tensor2D);
      });
      D.dispose();
      D = next;
    }
  } finally {
    D.dispose();
    if (injections !== null) tf.dispose(injections);
    tf.dispose(
      [...policyDerivatives.flat(), ...modelDerivatives.flat()].filter(
        (t): t is tf.Tensor2D => t !== null,
      ),
    );
  }
}
