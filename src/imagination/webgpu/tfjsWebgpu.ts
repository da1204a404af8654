/// <reference types="@webgpu/types" />
/**
 * Our own compute pipelines recorded into tfjs-webgpu's command stream, on its GPUDevice, with
 * tfjs tensors as every binding. Why not `runWebGPUProgram`: it writes one output per dispatch and
 * binds its inputs one tensor each, so a rollout's several products, and a gradient per policy
 * variable, would each cost a dispatch, and packing eight-odd weight tensors under the device's
 * 8 storage buffers per stage would cost concat dispatches. Here one dispatch writes several
 * tensors, and the weights are packed by buffer copies, which are no dispatches.
 * Recording into tfjs's own encoder (as its `recordAndSubmit` does) keeps our work ordered with
 * its kernels without a flush, and marking the bound tensors as the queue's keeps tfjs from
 * reusing their buffers before the commands are submitted. This reads tfjs-backend-webgpu
 * 4.22's internals (pinned in package.json); `webgpuInternals` checks they are there.
 */
import * as tf from '@tensorflow/tfjs';

interface TensorData {
  resource: GPUBuffer | null;
}

/** The members of tfjs-backend-webgpu's WebGPUBackend this module uses. */
interface WebGPUBackendInternals {
  readonly device: GPUDevice;
  readonly tensorMap: { get(dataId: object): TensorData | undefined };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  dispatchCountInPass: number;
  uploadToGPU(dataId: object): void;
  makeTensorInfo(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** tfjs-webgpu's backend as this module drives it, or why it cannot. */
export function webgpuInternals(): WebGPUBackendInternals | string {
  if (tf.getBackend() !== 'webgpu') return `the backend is ${tf.getBackend()}, not webgpu`;
  const backend = tf.backend() as unknown as Partial<WebGPUBackendInternals>;
  const methods = [
    'uploadToGPU',
    'makeTensorInfo',
    'ensureCommandEncoderReady',
    'endComputePassEncoder',
    'submitQueue',
  ] as const;
  if (backend.device === undefined || backend.tensorMap === undefined)
    return 'tfjs-webgpu exposes no device';
  for (const method of methods)
    if (typeof backend[method] !== 'function') return `tfjs-webgpu has no ${method}()`;
  if (!(backend.commandQueueOwnedIds instanceof WeakSet))
    return 'tfjs-webgpu keeps no queue-owned tensor set';
  return backend as WebGPUBackendInternals;
}

function internals(): WebGPUBackendInternals {
  const backend = webgpuInternals();
  if (typeof backend === 'string') throw new Error(`fused WebGPU path: ${backend}`);
  return backend;
}

export type Access = 'read' | 'read_write';

export interface FusedPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly access: readonly Access[];
}

const pipelineCache = new WeakMap<GPUDevice, Map<string, Promise<FusedPipeline>>>();

/**
 * A pipeline for `code` whose bindings 0…n−1 have the accesses given, with an explicit layout:
 * an 'auto' layout drops a binding the shader does not read, and the program then writes nothing.
 * WGSL errors are thrown with the compiler's messages.
 */
export function fusedPipeline(code: string, access: readonly Access[]): Promise<FusedPipeline> {
  const { device } = internals();
  let cache = pipelineCache.get(device);
  if (cache === undefined) {
    cache = new Map();
    pipelineCache.set(device, cache);
  }
  const key = `${access.join(',')}\n${code}`;
  let pipeline = cache.get(key);
  if (pipeline === undefined) {
    pipeline = compile(device, code, access);
    cache.set(key, pipeline);
    pipeline.catch(() => cache.delete(key));
  }
  return pipeline;
}

async function compile(
  device: GPUDevice,
  code: string,
  access: readonly Access[],
): Promise<FusedPipeline> {
  const module = device.createShaderModule({ code });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((message) => message.type === 'error');
  if (errors.length > 0)
    throw new Error(
      `fused WebGPU path: WGSL does not compile: ${errors
        .map((e) => `${e.lineNum}:${e.linePos} ${e.message}`)
        .join('; ')}`,
    );
  const pipeline = await device.createComputePipelineAsync({
    layout: pipelineLayout(device, access),
    compute: { module, entryPoint: 'main' },
  });
  return { pipeline, access };
}

const syncCache = new WeakMap<GPUDevice, Map<string, FusedPipeline>>();

/**
 * For a caller that cannot wait (an optimiser's step): the pipeline made synchronously and
 * cached, bindings `inputs` then new float32 outputs of `shapes`, recorded over `workgroups`.
 * A WGSL error here surfaces as the device's validation error, not a throw: only fixed, tested
 * programs come this way.
 */
export function dispatchSync(
  code: string,
  access: readonly Access[],
  inputs: readonly tf.Tensor[],
  shapes: readonly number[][],
  workgroups: number,
): tf.Tensor[] {
  const { device } = internals();
  let cache = syncCache.get(device);
  if (cache === undefined) {
    cache = new Map();
    syncCache.set(device, cache);
  }
  let pipeline = cache.get(code);
  if (pipeline === undefined) {
    pipeline = {
      pipeline: device.createComputePipeline({
        layout: pipelineLayout(device, access),
        compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
      }),
      access,
    };
    cache.set(code, pipeline);
  }
  const outputs = shapes.map((shape) => gpuOutput(shape));
  dispatch(pipeline, [...inputs, ...outputs], workgroups);
  return outputs;
}

function pipelineLayout(device: GPUDevice, access: readonly Access[]): GPUPipelineLayout {
  // GPUShaderStage.COMPUTE: the constant, as Node (where this module also loads) has no global.
  const COMPUTE = 4;
  const layout = device.createBindGroupLayout({
    entries: access.map((kind, binding) => ({
      binding,
      visibility: COMPUTE,
      buffer: { type: kind === 'read' ? 'read-only-storage' : 'storage' },
    })),
  });
  return device.createPipelineLayout({ bindGroupLayouts: [layout] });
}

/** A float32 tensor whose GPU buffer a dispatch or a copy writes (contents undefined until then). */
export function gpuOutput(shape: number[]): tf.Tensor {
  const backend = internals();
  const info = backend.makeTensorInfo(shape, 'float32');
  backend.uploadToGPU(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info);
}

function bufferOf(backend: WebGPUBackendInternals, tensor: tf.Tensor): GPUBuffer {
  backend.uploadToGPU(tensor.dataId);
  const resource = backend.tensorMap.get(tensor.dataId)?.resource;
  if (!(resource instanceof GPUBuffer))
    throw new Error('fused WebGPU path: a tensor is not held in a GPU buffer');
  backend.commandQueueOwnedIds.add(tensor.dataId);
  return resource;
}

/** Records `pipeline` over `workgroups` workgroups with the tensors as its bindings, in order. */
export function dispatch(
  { pipeline, access }: FusedPipeline,
  tensors: readonly tf.Tensor[],
  workgroups: number,
): void {
  if (tensors.length !== access.length)
    throw new Error(`fused WebGPU path: ${tensors.length} tensors for ${access.length} bindings`);
  const backend = internals();
  const group = backend.device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: tensors.map((tensor, binding) => ({
      binding,
      resource: { buffer: bufferOf(backend, tensor) },
    })),
  });
  backend.ensureCommandEncoderReady();
  const encoder = backend.commandEncoder as GPUCommandEncoder;
  backend.computePassEncoder ??= encoder.beginComputePass();
  backend.computePassEncoder.setPipeline(pipeline);
  backend.computePassEncoder.setBindGroup(0, group);
  backend.computePassEncoder.dispatchWorkgroups(workgroups);
  backend.dispatchCountInPass++;
  if (backend.dispatchCountInPass >= tf.env().getNumber('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE')) {
    backend.endComputePassEncoder();
    backend.submitQueue();
  }
}

/** Copies each source tensor's data into `target` at its element offset: buffer copies, no dispatch. */
export function packInto(
  target: tf.Tensor,
  sources: readonly { readonly tensor: tf.Tensor; readonly at: number }[],
): void {
  const backend = internals();
  const into = bufferOf(backend, target);
  const froms = sources.map(({ tensor }) => bufferOf(backend, tensor));
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  const encoder = backend.commandEncoder as GPUCommandEncoder;
  sources.forEach(({ tensor, at }, i) => {
    encoder.copyBufferToBuffer(froms[i], 0, into, at * 4, tensor.size * 4);
  });
}
