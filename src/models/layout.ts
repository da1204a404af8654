/**
 * How the ensemble's E members are laid out on the backend. Both layouts compute the same
 * function; which is faster depends on the backend, so it was measured (calibration.ts's
 * measureLayouts, through `npm run bench -- model`), and the choice is fixed per backend below.
 * Measured on WASM in node (docs/BENCHMARKS.md): a batched 3-D matMul runs ~10× slower than the
 * same work as 2-D matMuls, and transposed matMuls ~10× slower than an explicit transpose
 * followed by a plain matMul.
 */
export type MemberLayout =
  /** One fused 2-D matMul per member and layer; members sit one after another along the batch. */
  | 'perMember'
  /** One 3-D matMul [E, B, in] × [E, in, out] per layer. */
  | 'batched';

export interface EnsembleLayout {
  readonly members: MemberLayout;
  /** How the backward pass forms xᵀ·dz and dz·Wᵀ (dense.ts). */
  readonly transposes: 'explicit' | 'flags';
}

/**
 * The layout per backend, fixed: the layouts compute the same function but round differently
 * (a fused per-member matMul, an explicit transpose and a transposed matMul sum in different
 * orders), so the same config and seed must always get the same layout on a backend, whatever
 * the machine's load — a layout chosen by timing once made the `exploit` preset's seed 0 end
 * iteration 1 at −1514, −1400 or −1603 depending on which layout won. From the recorded
 * benchmarks (docs/BENCHMARKS.md, "World model": `npm run bench -- model` measures them all):
 * WASM and CPU in Node, WebGL and WebGPU on SwiftShader in headless Chromium; real GPUs may well
 * rank them differently, which would be a reason to change a line here, not to measure at run time.
 */
const LAYOUTS: Readonly<Record<string, EnsembleLayout>> = {
  wasm: { members: 'perMember', transposes: 'explicit' },
  cpu: { members: 'perMember', transposes: 'flags' },
  webgl: { members: 'perMember', transposes: 'flags' },
  webgpu: { members: 'batched', transposes: 'flags' },
};

/** The layout a backend runs the ensemble in. */
export function layoutFor(backendName: string): EnsembleLayout {
  return LAYOUTS[backendName] ?? LAYOUTS.cpu;
}
