/**
 * Which layout the frozen ensemble runs in (frozenEnsemble.ts), fixed by the sizes and never
 * timed at run time, so that a seed's numbers never depend on the machine's load: the block
 * layout while the members' hidden units number at most BLOCK_UNITS, above which its wasted
 * blocks cost more than the per-member layout's kernels (on WASM: 3 × 64 units, a block hidden
 * layer 0.14 ms a step against 0.2 ms of dispatch per member; 5 × 200, 20 ms against 4 ms).
 * Its own module, free of tfjs, because the app's time estimate reads it too.
 */
export const BLOCK_UNITS = 256;

export function usesBlockLayout(members: number, hiddenLayers: number, hiddenUnits: number): boolean {
  return hiddenLayers === 0 || members === 1 || members * hiddenUnits <= BLOCK_UNITS;
}
