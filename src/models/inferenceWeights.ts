/**
 * The ensemble rewritten for fast inference: the same function as ensembleForward + the
 * (de)normalisation, with everything that can be folded into the weights folded in, so that a
 * rollout step is one fused matMul per member and layer and nothing else.
 *
 *   input normalisation   (x − μ)/σ · W + b  =  x · (W/σ) + (b − (μ/σ)·W)
 *   output denormalisation (h·W + b)·σₜ + μₜ  =  h · (W σₜ) + (b σₜ + μₜ)
 *   tanh as sigmoid        tanh(z) = 2·sigmoid(2z) − 1: this layer takes (2W, 2b) and a fused
 *                          sigmoid; the next takes (2W′, b′ − 1ᵀW′) to absorb the "2s − 1".
 *
 * The mean head keeps the chosen output columns only (the deltas, plus the reward if the
 * learned reward is wanted), in real units.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerActivation, TransposeMode } from './dense';
import type { EnsembleParameters } from './ensembleParameters';
import type { EnsembleLayout, MemberLayout } from './layout';
import { unstackBiases } from './memberBiases';
import { tidyKeeping } from './tidy';

export interface InferenceLayer {
  /** perMember: one [in, out] weight and [out] bias per member; batched: one [E,in,out], [E,1,out]. */
  readonly weights: tf.Tensor[];
  readonly biases: tf.Tensor[];
  /** After folding, tanh layers run as 'sigmoid'. */
  readonly activation: LayerActivation;
}

export interface InferenceWeights {
  readonly layout: MemberLayout;
  readonly transposes: TransposeMode;
  readonly members: number;
  /** Hidden layers then the mean head; the head's outputs are real-unit deltas (and reward). */
  readonly layers: InferenceLayer[];
  /**
   * The log-variance head (normalised units) and its bounds, for Gaussian sampling; the bounds
   * follow the layout too (perMember: [1, D] each; batched: one [E, 1, D]).
   */
  readonly logVar: { readonly layer: InferenceLayer; readonly max: tf.Tensor[]; readonly min: tf.Tensor[] } | null;
  /** Output columns of the mean head, and each column's target std (for the log-variance). */
  readonly outputColumns: number;
  readonly outputStd: tf.Tensor1D;
  dispose(): void;
}

export interface FoldingStats {
  readonly inputMean: ArrayLike<number>;
  readonly inputStd: ArrayLike<number>;
  readonly targetMean: ArrayLike<number>;
  readonly targetStd: ArrayLike<number>;
}

type Folded = Pick<InferenceWeights, 'layers' | 'logVar' | 'outputStd'>;

export function foldInferenceWeights(
  params: EnsembleParameters,
  stats: FoldingStats,
  outputColumns: number,
  layout: EnsembleLayout,
): InferenceWeights {
  const folded = tidyKeeping(() => fold(params, stats, outputColumns, layout.members));
  const owned: tf.Tensor[] = [folded.outputStd];
  for (const layer of [...folded.layers, ...(folded.logVar === null ? [] : [folded.logVar.layer])]) {
    owned.push(...layer.weights, ...layer.biases);
  }
  if (folded.logVar !== null) owned.push(...folded.logVar.max, ...folded.logVar.min);
  return {
    ...folded,
    layout: layout.members,
    transposes: layout.transposes,
    members: params.shape.members,
    outputColumns,
    dispose: () => owned.forEach((t) => t.dispose()),
  };
}

function fold(params: EnsembleParameters, stats: FoldingStats, outputColumns: number, layout: MemberLayout): Folded {
  const { activation } = params.shape;
  const hiddenCount = params.weights.length - 1;
  const inMean = tf.tensor1d(Float32Array.from(stats.inputMean));
  const inStd = tf.tensor1d(Float32Array.from(stats.inputStd));
  const outMean = tf.tensor1d(Float32Array.from(stats.targetMean).subarray(0, outputColumns));
  const outStd = tf.tensor1d(Float32Array.from(stats.targetStd).subarray(0, outputColumns));

  const toLayer = (w: tf.Tensor3D, b: tf.Tensor2D, kernel: InferenceLayer['activation']): InferenceLayer =>
    layout === 'perMember'
      ? { weights: tf.unstack(w), biases: unstackBiases(b), activation: kernel }
      : { weights: [w], biases: [tf.expandDims(b, 1)], activation: kernel };
  // After a tanh-as-sigmoid layer the next layer sees s = (h + 1)/2: W′ = 2W, b′ = b − 1ᵀW.
  let previousWasTanh = false;
  const absorbPrevious = ({ w, b }: { w: tf.Tensor3D; b: tf.Tensor2D }) =>
    previousWasTanh ? { w: tf.mul(w, 2) as tf.Tensor3D, b: tf.sub(b, tf.sum(w, 1)) as tf.Tensor2D } : { w, b };
  const outputSlice = (w: tf.Tensor, b: tf.Tensor) => ({
    w: tf.slice(w, [0, 0, 0], [-1, -1, outputColumns]) as tf.Tensor3D,
    b: tf.slice(b, [0, 0], [-1, outputColumns]) as tf.Tensor2D,
  });

  // (x − μ)/σ·W + b = x·(W/σ) + (b − μᵀ(W/σ)), for whichever layers read the input.
  const foldInput = (w: tf.Tensor3D, b: tf.Tensor2D) => {
    const scaled = tf.div(w, tf.reshape(inStd, [1, -1, 1])) as tf.Tensor3D;
    return { w: scaled, b: tf.sub(b, tf.sum(tf.mul(scaled, tf.reshape(inMean, [1, -1, 1])), 1)) as tf.Tensor2D };
  };
  const fromInput = (layer: number, w: tf.Tensor3D, b: tf.Tensor2D) => (layer === 0 ? foldInput(w, b) : { w, b });

  const layers: InferenceLayer[] = [];
  for (let l = 0; l < hiddenCount; l++) {
    const { w, b } = absorbPrevious(
      fromInput(l, tf.stack(params.weights[l]) as tf.Tensor3D, tf.stack(params.biases[l]) as tf.Tensor2D),
    );
    const isTanh = activation === 'tanh';
    layers.push(toLayer(isTanh ? tf.mul(w, 2) : w, isTanh ? tf.mul(b, 2) : b, isTanh ? 'sigmoid' : activation));
    previousWasTanh = isTanh;
  }
  const meanHead = outputSlice(tf.stack(params.weights[hiddenCount]), tf.stack(params.biases[hiddenCount]));
  const head = absorbPrevious(fromInput(hiddenCount, meanHead.w, meanHead.b));
  // (h·W + b)·σₜ + μₜ = h·(Wσₜ) + (bσₜ + μₜ)
  layers.push(toLayer(tf.mul(head.w, outStd), tf.add(tf.mul(head.b, outStd), outMean), 'linear'));

  let logVar: Folded['logVar'] = null;
  if (params.logVarHead !== null) {
    const { weight, bias, max, min } = params.logVarHead;
    const sliced = outputSlice(tf.stack(weight), tf.stack(bias));
    const absorbed = absorbPrevious(fromInput(hiddenCount, sliced.w, sliced.b));
    const bound = (t: tf.Tensor) => {
      const stacked = tf.expandDims(tf.slice(t, [0, 0], [-1, outputColumns]), 1);
      return layout === 'perMember' ? tf.unstack(stacked) : [stacked];
    };
    logVar = { layer: toLayer(absorbed.w, absorbed.b, 'linear'), max: bound(tf.stack(max)), min: bound(tf.stack(min)) };
  }
  return { layers, logVar, outputStd: outStd };
}
