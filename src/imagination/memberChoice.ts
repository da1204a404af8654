/**
 * Which member of the ensemble steps each imagined row, per step:
 * - 'random': a member drawn afresh for every trajectory and step (PETS's TS1, MBPO);
 * - 'all': every member runs its own copy of every start (E·B rows, member-major: member m's
 *   copy of start b is row m·B + b);
 * - 'mean': every row steps to the members' mean prediction.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';
import type { FrozenEnsemble, MemberMask } from './frozenEnsemble';

export type MemberChoice = 'random' | 'all' | 'mean';

/** Rows a rollout of B starts runs: E·B for 'all', else B. */
export function rolloutRows(choice: MemberChoice, starts: number, members: number): number {
  return choice === 'all' ? members * starts : starts;
}

/**
 * The masks of H steps over R rows. 'random' draws rng.int(E) per step and row, step-major, as
 * the rollouts always have (the same seed picks the same members). Uploaded and widened once for
 * all steps, then cut into steps: four kernels, not four per step.
 */
export function memberMasks(
  ensemble: FrozenEnsemble,
  choice: MemberChoice,
  horizon: number,
  rows: number,
  rng: Rng,
): MemberMask[] {
  const E = ensemble.members;
  if (choice !== 'random') {
    const weights = new Float32Array(rows * E);
    if (choice === 'mean') weights.fill(1 / E);
    else {
      const B = rows / E;
      for (let r = 0; r < rows; r++) weights[r * E + Math.floor(r / B)] = 1;
    }
    const mask = ensemble.mask(
      tf.tensor2d(weights, [rows, E]),
      choice === 'mean' ? 'mean' : 'oneHot',
    );
    return Array.from({ length: horizon }, () => mask);
  }
  const weights = new Float32Array(horizon * rows * E);
  for (let t = 0; t < horizon; t++)
    for (let r = 0; r < rows; r++) weights[(t * rows + r) * E + rng.int(E)] = 1;
  const all = tf.tensor2d(weights, [horizon * rows, E]);
  try {
    return ensemble.stepMasks(all, horizon);
  } finally {
    all.dispose();
  }
}

/** Every tensor of the masks once (steps may share one mask). */
export function disposeMasks(masks: readonly MemberMask[]): void {
  const seen = new Set<tf.Tensor>();
  for (const mask of masks)
    for (const t of [mask.weights, mask.hidden, mask.last, ...(mask.columns ?? [])])
      if (t !== null) seen.add(t);
  tf.dispose([...seen]);
}
