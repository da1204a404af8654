/**
 * The kernels the imagination engine calls in its inner loops, each one kernel where tfjs runs
 * several:
 *   matMul               act(a·b + bias) on 2-D operands (tfjs's op adds three Reshapes)
 *   splitRows            [n·k, c] → n tensors [k, c]
 *   slice2d, concatColumns  a 2-D block of rows and columns; 2-D tensors side by side
 *   adamUpdate           AdamW's m, v and θ for one variable (a dozen ops in tfjs)
 * On WASM and CPU they are kernels of our own (registered below): the backend's fused matMul
 * called on reshaped views, and plain loops over the tensors' memory; on WebGPU the Adam update is
 * one program of ours (webgpu/fusedAdam.ts); elsewhere (WebGL, WebGPU) the same maths in tfjs ops. tfjs's own Split copies its whole input once per piece
 * (WASM's slice reads the source through `readSync`, a full copy), so cutting a stacked rollout
 * into its H steps was O(H²) in memory traffic; a slice of [2112, 4] cost 300 µs, a concat of
 * [2048, 3] and two columns 400 µs (concat off the first axis is a loop per row), [64, 4] and a
 * column 18 µs.
 *
 * Measured, and left to tfjs: the activations' gradients. A JS loop over a float32 array runs at
 * 2–9 ns per element here (the relu branch mispredicts on every other element), WASM's SIMD
 * kernels at well under 1: two or three of them beat one of ours on any tensor past a few
 * thousand elements (`relu′` on [2112, 64]: 75 µs against 1 165).
 */
import * as tf from '@tensorflow/tfjs';
import { fusedAdam } from './webgpu/fusedAdam';

/** Activations whose derivative is a function of their output alone (silu is not one). */
export type StackActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'elu';

const KERNEL = {
  matMul: 'MismatchLabMatMul',
  splitRows: 'MismatchLabSplitRows',
  slice2d: 'MismatchLabSlice2D',
  concatColumns: 'MismatchLabConcatColumns',
  adam: 'MismatchLabAdamUpdate',
} as const;

/** Activations the backends fuse into a matMul. */
export type FusedActivation = 'linear' | 'relu' | 'sigmoid' | 'elu';

/**
 * act(a·b + bias) for 2-D a [n, k] and b [k, m]. tfjs's matMul takes 3-D operands, so its op
 * reshapes both and the result (three Reshape kernels around each matMul); on WASM and CPU this
 * is the backend's own fused matMul kernel called with the operands viewed as [1, n, k] and
 * [1, k, m], one kernel in all.
 */
export function matMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  bias: tf.Tensor1D | null = null,
  activation: FusedActivation = 'linear',
): tf.Tensor2D {
  if (hasOwnKernel(KERNEL.matMul)) {
    const inputs: tf.NamedTensorMap = bias === null ? { a, b } : { a, b, bias };
    return tf.engine().runKernel(KERNEL.matMul, inputs, { activation }) as tf.Tensor2D;
  }
  if (bias === null && activation === 'linear') return tf.matMul(a, b);
  return tf.fused.matMul({ a, b, bias: bias ?? undefined, activation }) as tf.Tensor2D;
}

/**
 * aᵀ·b [k, m] for a [n, k], b [n, m]: the gradient of a layer's weights. WASM runs a transposed
 * matMul as a scalar loop (~10× slower than an explicit transpose and a plain matMul); GPUs read
 * the operand transposed for free.
 */
export function matMulTransposedA(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (explicitTransposes()) return tf.tidy(() => matMul(tf.transpose(a), b));
  return tf.matMul(a, b, true, false);
}

/** a·bᵀ [n, k] for a [n, m], b [k, m]: a layer's input gradient from its weights (as above). */
export function matMulTransposedB(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (explicitTransposes()) return tf.tidy(() => matMul(a, tf.transpose(b)));
  return tf.matMul(a, b, false, true);
}

/** Whether the backend transposes explicitly before a plain matMul (WASM and CPU do). */
export function explicitTransposes(): boolean {
  return hasOwnKernel(KERNEL.matMul);
}

/** dz = dy ⊙ act′(z), with act′ written from y = act(z). */
export function activationGradient(
  dy: tf.Tensor2D,
  y: tf.Tensor2D,
  activation: StackActivation,
): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.tidy(() => tf.mul(dy, tf.step(y)));
    case 'sigmoid':
      // σ′ = y − y²
      return tf.tidy(() => tf.mul(dy, tf.sub(y, tf.square(y))));
    case 'tanh':
      return tf.tidy(() => tf.mul(dy, tf.sub(1, tf.square(y))));
    case 'elu':
      // y > 0: 1; else y = e^z − 1, so dy/dz = y + 1: tfjs's own kernel.
      return tf.engine().runKernel('EluGrad', { dy, y }) as tf.Tensor2D;
  }
}

/**
 * act′ as a factor from y = act(z): the backward pass multiplies by it. Computed once over every
 * imagined step's rows (then cut into steps), it costs two kernels per layer and rollout instead
 * of two per layer and step.
 */
export function activationDerivative(
  y: tf.Tensor2D,
  activation: Exclude<StackActivation, 'linear'>,
): tf.Tensor2D {
  return tf.tidy(() => {
    switch (activation) {
      case 'relu':
        return tf.step(y);
      case 'sigmoid':
        return tf.sub(y, tf.square(y));
      case 'tanh':
        return tf.sub(1, tf.square(y));
      case 'elu':
        // y > 0: 1; else y + 1.
        return tf.add(tf.minimum(y, 0), 1);
    }
  });
}

/** [n·k, c] → n consecutive row blocks [k, c]. */
export function splitRows(x: tf.Tensor2D, parts: number): tf.Tensor2D[] {
  if (x.shape[0] % parts !== 0)
    throw new Error(`splitRows: ${x.shape[0]} rows do not split into ${parts} parts`);
  if (parts === 1) return [x.clone()];
  if (hasOwnKernel(KERNEL.splitRows)) {
    return tf.engine().runKernel(KERNEL.splitRows, { x }, { parts }) as unknown as tf.Tensor2D[];
  }
  return tf.split(x, parts, 0);
}

/** Rows [row, row + rows) and columns [column, column + columns) of x; −1 takes the rest. */
export function slice2d(
  x: tf.Tensor2D,
  [row, column]: [number, number],
  [rows, columns]: [number, number],
): tf.Tensor2D {
  const n = rows === -1 ? x.shape[0] - row : rows;
  const m = columns === -1 ? x.shape[1] - column : columns;
  if (row < 0 || column < 0 || n < 0 || m < 0 || row + n > x.shape[0] || column + m > x.shape[1]) {
    throw new Error(
      `slice2d: [${row}, ${column}] + [${n}, ${m}] is outside [${x.shape.join(', ')}]`,
    );
  }
  if (hasOwnKernel(KERNEL.slice2d))
    return tf
      .engine()
      .runKernel(KERNEL.slice2d, { x }, { row, column, rows: n, columns: m }) as tf.Tensor2D;
  return tf.slice(x, [row, column], [n, m]);
}

/** [a | b | …]: 2-D tensors of equal row counts side by side. */
export function concatColumns(parts: readonly tf.Tensor2D[]): tf.Tensor2D {
  if (parts.length === 0) throw new Error('concatColumns: nothing to concatenate');
  const rows = parts[0].shape[0];
  if (parts.some((p) => p.shape[0] !== rows))
    throw new Error(`concatColumns: row counts ${parts.map((p) => p.shape[0]).join(', ')} differ`);
  if (parts.length === 1) return parts[0].clone();
  if (hasOwnKernel(KERNEL.concatColumns)) {
    const inputs: tf.NamedTensorMap = Object.fromEntries(parts.map((p, i) => [`x${i}`, p]));
    return tf
      .engine()
      .runKernel(KERNEL.concatColumns, inputs, { parts: parts.length }) as tf.Tensor2D;
  }
  return tf.concat(parts as tf.Tensor2D[], 1);
}

export interface AdamSettings {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** α·√(1 − β₂ᵗ)/(1 − β₁ᵗ): Adam's bias corrections folded into the step. */
  readonly stepSize: number;
  /** α·λ for decoupled weight decay, 0 for none. */
  readonly decay: number;
}

/**
 * One AdamW step for one variable (AdamW in src/models/adamW.ts is its caller):
 *   m′ = β₁m + (1−β₁)g,  v′ = β₂v + (1−β₂)g²,  θ′ = θ − stepSize·m′/(√v′ + ε) − decay·θ
 */
export function adamUpdate(
  theta: tf.Tensor,
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  settings: AdamSettings,
): { theta: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  if (gradient.size !== theta.size)
    throw new Error(`adamUpdate: a gradient of ${gradient.size} values for ${theta.size}`);
  const onWebgpu = tf.getBackend() === 'webgpu' ? fusedAdam(theta, gradient, m, v, settings) : null;
  if (onWebgpu !== null) return onWebgpu;
  if (hasOwnKernel(KERNEL.adam)) {
    const [t, mm, vv] = tf
      .engine()
      .runKernel(KERNEL.adam, { theta, gradient, m, v }, { ...settings }) as unknown as tf.Tensor[];
    return { theta: t, m: mm, v: vv };
  }
  return tf.tidy(() => {
    const { beta1, beta2, epsilon, stepSize, decay } = settings;
    // A bias's gradient may come as a row [1, n] (a column sum by matMul): our kernel reads it flat.
    const g = tf.reshape(gradient, theta.shape);
    const mNext = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
    const vNext = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
    let update = tf.mul(tf.div(mNext, tf.add(tf.sqrt(vNext), epsilon)), stepSize);
    if (decay > 0) update = tf.add(update, tf.mul(theta, decay));
    return { theta: tf.sub(theta, update), m: mNext, v: vNext };
  });
}

/** Whether the backend in use runs our own kernel `name` (WASM and CPU do). */
function hasOwnKernel(name: string): boolean {
  ensureRegistered();
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

// ---- The kernels on WASM and CPU: loops over float32 memory -------------------------------------

/** What a kernel body sees: its inputs' values, its outputs' storage, its attributes, its inputs' shapes. */
type LoopBody = (
  inputs: Float32Array[],
  outputs: Float32Array[],
  attrs: Record<string, number>,
  shapes: number[][],
) => void;

interface LoopKernel {
  readonly name: string;
  /** Its inputs by name, or `variadic`: x0, x1, … as many as the `parts` attribute says. */
  readonly inputNames: readonly string[] | 'variadic';
  readonly outputShapes: (shapes: number[][], attrs: Record<string, number>) => number[][];
  readonly body: LoopBody;
}

const loopKernels: LoopKernel[] = [
  {
    name: KERNEL.splitRows,
    inputNames: ['x'],
    outputShapes: ([shape], { parts }) =>
      Array.from({ length: parts }, () => [shape[0] / parts, ...shape.slice(1)]),
    body: ([x], outputs) => {
      const size = x.length / outputs.length;
      outputs.forEach((out, i) => out.set(x.subarray(i * size, (i + 1) * size)));
    },
  },
  {
    name: KERNEL.slice2d,
    inputNames: ['x'],
    outputShapes: (_, { rows, columns }) => [[rows, columns]],
    body: ([x], [out], { row, column, rows, columns }, [[, width]]) => {
      for (let i = 0; i < rows; i++) {
        const from = (row + i) * width + column;
        out.set(x.subarray(from, from + columns), i * columns);
      }
    },
  },
  {
    name: KERNEL.concatColumns,
    inputNames: 'variadic',
    outputShapes: (shapes) => [[shapes[0][0], shapes.reduce((sum, shape) => sum + shape[1], 0)]],
    body: (parts, [out], _, shapes) => {
      const rows = shapes[0][0];
      const width = out.length / rows;
      let offset = 0;
      parts.forEach((part, p) => {
        const columns = shapes[p][1];
        if (columns === 1) {
          for (let i = 0; i < rows; i++) out[i * width + offset] = part[i];
        } else {
          for (let i = 0; i < rows; i++)
            out.set(part.subarray(i * columns, (i + 1) * columns), i * width + offset);
        }
        offset += columns;
      });
    },
  },
  {
    name: KERNEL.adam,
    inputNames: ['theta', 'gradient', 'm', 'v'],
    outputShapes: (shapes) => [shapes[0], shapes[0], shapes[0]],
    body: (
      [theta, g, m, v],
      [thetaNext, mNext, vNext],
      { beta1, beta2, epsilon, stepSize, decay },
    ) => {
      for (let i = 0; i < theta.length; i++) {
        const mi = beta1 * m[i] + (1 - beta1) * g[i];
        const vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        mNext[i] = mi;
        vNext[i] = vi;
        thetaNext[i] = theta[i] - (stepSize * mi) / (Math.sqrt(vi) + epsilon) - decay * theta[i];
      }
    },
  },
];

/** The two backends' memory, as far as these kernels need it (structural: no backend import). */
interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}
interface CpuLike {
  data: { get(dataId: unknown): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
}

let registered = false;

function ensureRegistered(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['wasm', 'cpu']) {
    if (tf.getKernel(KERNEL.matMul, backendName) === undefined) {
      tf.registerKernel({
        kernelName: KERNEL.matMul,
        backendName,
        kernelFunc: matMulKernel(backendName) as tf.KernelFunc,
      });
    }
  }
  for (const kernel of loopKernels) {
    if (tf.getKernel(kernel.name, 'wasm') === undefined) {
      tf.registerKernel({
        kernelName: kernel.name,
        backendName: 'wasm',
        kernelFunc: wasmKernel(kernel) as tf.KernelFunc,
      });
    }
    if (tf.getKernel(kernel.name, 'cpu') === undefined) {
      tf.registerKernel({
        kernelName: kernel.name,
        backendName: 'cpu',
        kernelFunc: cpuKernel(kernel) as tf.KernelFunc,
      });
    }
  }
}

type KernelArgs = {
  inputs: Record<string, tf.TensorInfo>;
  backend: unknown;
  attrs?: Record<string, unknown>;
};

function numericAttrs(attrs: Record<string, unknown> | undefined): Record<string, number> {
  return Object.fromEntries(
    Object.entries(attrs ?? {}).map(([key, value]) => [key, Number(value)]),
  );
}

function wasmKernel(kernel: LoopKernel) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const wasm = backend as WasmLike;
    const numeric = numericAttrs(attrs);
    const infos = kernelInputs(kernel, inputs, numeric);
    const shapes = infos.map((t) => t.shape);
    // Every output first: making one may grow the WASM memory, which detaches earlier views.
    const outputs = kernel
      .outputShapes(shapes, numeric)
      .map((shape) => wasm.makeOutput(shape, 'float32'));
    kernel.body(
      infos.map((t) => wasm.typedArrayFromHeap(t) as Float32Array),
      outputs.map((t) => wasm.typedArrayFromHeap(t) as Float32Array),
      numeric,
      shapes,
    );
    return outputs.length === 1 ? outputs[0] : outputs;
  };
}

function cpuKernel(kernel: LoopKernel) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | tf.TensorInfo[] => {
    const cpu = backend as CpuLike;
    const numeric = numericAttrs(attrs);
    const infos = kernelInputs(kernel, inputs, numeric);
    const inputShapes = infos.map((t) => t.shape);
    const shapes = kernel.outputShapes(inputShapes, numeric);
    const values = shapes.map((shape) => new Float32Array(shape.reduce((a, b) => a * b, 1)));
    kernel.body(
      infos.map((t) => cpu.data.get(t.dataId).values as Float32Array),
      values,
      numeric,
      inputShapes,
    );
    const outputs = shapes.map((shape, i) => cpu.makeTensorInfo(shape, 'float32', values[i]));
    return outputs.length === 1 ? outputs[0] : outputs;
  };
}

/** The backend's fused matMul on 2-D operands seen as [1, n, k]·[1, k, m]: shapes only, no copy. */
function matMulKernel(backendName: string) {
  return ({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo => {
    const fused = tf.getKernel('_FusedMatMul', backendName);
    if (fused === undefined)
      throw new Error(`${KERNEL.matMul}: the ${backendName} backend has no _FusedMatMul`);
    const { a, b, bias } = inputs;
    const batched = (t: tf.TensorInfo) => ({
      dataId: t.dataId,
      dtype: t.dtype,
      shape: [1, ...t.shape],
    });
    const out = fused.kernelFunc({
      inputs:
        bias === undefined
          ? { a: batched(a), b: batched(b) }
          : { a: batched(a), b: batched(b), bias },
      backend: backend as tf.KernelBackend,
      attrs: {
        transposeA: false,
        transposeB: false,
        activation: String(attrs?.activation ?? 'linear'),
        leakyreluAlpha: 0,
      },
    }) as tf.TensorInfo;
    return { dataId: out.dataId, dtype: out.dtype, shape: out.shape.slice(1) };
  };
}

function kernelInputs(
  kernel: LoopKernel,
  inputs: Record<string, tf.TensorInfo>,
  attrs: Record<string, number>,
): tf.TensorInfo[] {
  const names =
    kernel.inputNames === 'variadic'
      ? Array.from({ length: attrs.parts }, (_, i) => `x${i}`)
      : kernel.inputNames;
  const infos = names.map((name) => inputs[name]);
  requireFloat32(kernel.name, infos);
  return infos;
}

function requireFloat32(name: string, infos: readonly tf.TensorInfo[]): void {
  for (const info of infos) {
    if (info === undefined || info.dtype !== 'float32')
      throw new Error(`${name}: every input must be a float32 tensor`);
  }
}
