/**
 * How the ensemble's E members are laid out on the backend. Both layouts compute the same
 * function; which is faster depends on the backend, so it is measured (calibration.ts), not
 * assumed. Measured on WASM in node (docs/BENCHMARKS.md): a batched 3-D matMul runs ~10× slower
 * than the same work as 2-D matMuls, and transposed matMuls ~10× slower than an explicit
 * transpose followed by a plain matMul.
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
 * Defaults until a calibration measures the backend in use (calibration.ts), from the recorded
 * benchmarks (docs/BENCHMARKS.md, "World model"): WASM in Node, CPU in Node, and WebGL and WebGPU
 * on SwiftShader in headless Chromium, where real GPUs may well rank the layouts differently.
 */
const RECORDED_DEFAULTS: Readonly<Record<string, EnsembleLayout>> = {
  wasm: { members: 'perMember', transposes: 'explicit' },
  cpu: { members: 'perMember', transposes: 'flags' },
  webgl: { members: 'perMember', transposes: 'flags' },
  webgpu: { members: 'batched', transposes: 'flags' },
};

const measured = new Map<string, EnsembleLayout>();

/** The layout to use on a backend: the measured one if a measurement ran, else the default. */
export function layoutFor(backendName: string): EnsembleLayout {
  return measured.get(backendName) ?? RECORDED_DEFAULTS[backendName] ?? RECORDED_DEFAULTS.cpu;
}

/** Records a measured choice for a backend (layoutMeasurement.ts calls this). */
export function rememberLayout(backendName: string, layout: EnsembleLayout): void {
  measured.set(backendName, layout);
}
