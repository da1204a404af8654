/**
 * What the fused WebGPU programs cover, from facts a config already states, so that the page
 * can name the path before a run (experimentCalibration.ts) and the run takes the path named.
 * Free of tfjs: the app's top bar reads it through the backend choice.
 */
export interface FusedFacts {
  /** The optimiser's reward is rewritten in a way the programs do not compute (MnM's classifier bonus). */
  readonly rewrite: boolean;
  /** Box action dimensions, or null for discrete actions. */
  readonly boxDimensions: number | null;
  readonly reward: 'known' | 'learned';
  /** Hidden widths of the members, the policy and the critic. */
  readonly widths: readonly number[];
}

/**
 * A row's workgroup holds two scratch layers, the critic's hidden layers and a few vectors in
 * 16 KiB, the least any WebGPU device offers.
 */
const WIDEST = 512;

/** Why the fused programs cannot run these facts, or null when they can. */
export function fusedProblem(facts: FusedFacts): string | null {
  if (facts.rewrite)
    return 'a rewritten reward (error signal, classifier bonus) runs on tfjs kernels';
  if (facts.boxDimensions !== null && facts.boxDimensions !== 1 && facts.reward === 'known')
    return 'the known rewards of box actions are written for one action dimension';
  if (Math.max(...facts.widths) > WIDEST) return `a layer wider than ${WIDEST} units`;
  return null;
}
