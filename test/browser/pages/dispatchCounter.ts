/**
 * Counts the page's compute dispatches, tfjs's and the fused path's alike, by wrapping
 * GPUComputePassEncoder.dispatchWorkgroups once; and tfjs kernels, by wrapping the engine's
 * runKernel (what a WASM or WebGL step costs in the same unit).
 */
import * as tf from '@tensorflow/tfjs';

const counts = { dispatches: 0, kernels: 0 };
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  if (typeof GPUComputePassEncoder !== 'undefined') {
    const prototype = GPUComputePassEncoder.prototype;
    const original = prototype.dispatchWorkgroups;
    prototype.dispatchWorkgroups = function (this: GPUComputePassEncoder, ...args: Parameters<typeof original>) {
      counts.dispatches++;
      return original.apply(this, args);
    };
  }
  const engine = tf.engine();
  const runKernel = engine.runKernel.bind(engine);
  engine.runKernel = ((...args: Parameters<typeof runKernel>) => {
    counts.kernels++;
    return runKernel(...args);
  }) as typeof engine.runKernel;
}

/** The dispatches and kernels `work` records, awaited (nothing else runs on the page meanwhile). */
export async function counted<T>(work: () => T | Promise<T>): Promise<{ result: T; dispatches: number; kernels: number }> {
  install();
  const before = { ...counts };
  const result = await work();
  return { result, dispatches: counts.dispatches - before.dispatches, kernels: counts.kernels - before.kernels };
}
