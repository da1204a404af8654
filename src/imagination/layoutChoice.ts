/**
 * Which layout the frozen ensemble runs in (frozenEnsemble.ts), fixed by the sizes and never
 * timed at run time, so that a seed's numbers never depend on the machine's load: the block
 * layout while the members' hidden units number at most BLOCK_UNITS, above which its
 * block-diagonal matMuls (the members' mean, every member's Δo on shared rows) cost more than
 * the per-member layout's kernels. One-hot imagined steps cost one member's arithmetic in both;
 * at 5 × 200 the block layout's improve phase measured 15 % faster but its evaluation slower,
 * and policyAware's disagreement would pay the E² blocks: not switched.
 * Its own module, free of tfjs, because the app's time estimate reads it too.
 */
export const BLOCK_UNITS = 256;

export function usesBlockLayout(members: number, hiddenLayers: number, hiddenUnits: number): boolean {
  return hiddenLayers === 0 || members === 1 || members * hiddenUnits <= BLOCK_UNITS;
}
