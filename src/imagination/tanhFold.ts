/**
 * The run's small tanh networks (policy, critic, error head) rewritten for the engine's fused
 * kernels, and their gradients mapped back. WASM fuses sigmoid into its matMul but not tanh, so
 * a hidden layer runs in sigmoid form, s = σ(ẑ) with tanh(z) = 2s − 1 for ẑ = 2z, and each layer
 * takes its input's affine map into its weights:
 *   z_l = u·(P W_l) + (b_l + q·W_l),   u = x, P = diag(1/σ_in), q = −μ_in/σ_in    (first layer)
 *                                      u = s, P = 2I,           q = −1ᵀ           (after a hidden layer)
 *   Ŵ_l = m·P·W_l,   b̂_l = m·(b_l + q·W_l),   m = 2 (hidden, for σ(2z)) or k (output)
 * The output is linear (k = 1), or squashed into a box (k = 2 and a sigmoid: tanh(y) = 2σ(2y) − 1).
 * Backward, from the folded layers' gradients:
 *   ∂L/∂W_l = m·(P·∂L/∂Ŵ_l + qᵀ ⊗ ∂L/∂b̂_l),   ∂L/∂b_l = m·∂L/∂b̂_l
 * Folding costs a few kernels per layer each time the weights change (every optimiser step); the
 * network then runs one kernel per layer however often it is called in the step.
 */
import * as tf from '@tensorflow/tfjs';
import { matMul } from './kernels';
import { makeStack, type DenseStack } from './denseStack';

export interface TanhNetwork {
  /** weights[l] is [in, out]; hidden layers use tanh, the last is linear. */
  readonly weights: readonly tf.Tensor2D[];
  readonly biases: readonly tf.Tensor1D[];
  /** Input normalisation (x − μ)/σ of the first layer; omitted: none. */
  readonly inputMean?: Float32Array;
  readonly inputScale?: Float32Array;
}

export interface FoldOptions {
  /** 'squash': the output is σ(2y) = (tanh(y) + 1)/2 in (0, 1), for an action box. */
  readonly output: 'linear' | 'squash';
  /** The first layer reads this many input columns, the ones past the network's own read by zero rows. */
  readonly inputColumns?: number;
}

/** Per layer: m·P as a column [in, 1] and m·q as a row [1, in], fixed for the network's life. */
interface LayerMaps {
  readonly scaleColumn: tf.Tensor2D;
  readonly shiftRow: tf.Tensor2D;
  readonly m: number;
}

export class TanhFolder {
  private readonly maps: LayerMaps[];
  private readonly inputDim: number;
  private readonly inputColumns: number;

  constructor(
    network: TanhNetwork,
    private readonly options: FoldOptions,
  ) {
    const L = network.weights.length;
    this.inputDim = network.weights[0].shape[0];
    this.inputColumns = options.inputColumns ?? this.inputDim;
    if (this.inputColumns < this.inputDim)
      throw new Error('TanhFolder: inputColumns below the network input');
    this.maps = network.weights.map((weight, l) => {
      const rows = weight.shape[0];
      const m = l + 1 < L ? 2 : options.output === 'squash' ? 2 : 1;
      const scale = new Float32Array(rows);
      const shift = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        if (l === 0) {
          const sigma = network.inputScale?.[i] ?? 1;
          scale[i] = m / sigma;
          shift[i] = (-m * (network.inputMean?.[i] ?? 0)) / sigma;
        } else {
          scale[i] = 2 * m;
          shift[i] = -m;
        }
      }
      return {
        scaleColumn: tf.tensor2d(scale, [rows, 1]),
        shiftRow: tf.tensor2d(shift, [1, rows]),
        m,
      };
    });
  }

  /** The folded stack for the network's current weights (the caller disposes it). */
  fold(network: TanhNetwork): DenseStack {
    const L = network.weights.length;
    const layers = tf.tidy(() =>
      network.weights.map((weight, l) => {
        const { scaleColumn, shiftRow, m } = this.maps[l];
        // Ŵ = m·P·W,  b̂ = m·b + (m·q)·W
        let folded = tf.mul(weight, scaleColumn) as tf.Tensor2D;
        if (l === 0 && this.inputColumns > this.inputDim)
          folded = tf.pad(folded, [
            [0, this.inputColumns - this.inputDim],
            [0, 0],
          ]);
        const bias = tf.add(
          tf.mul(network.biases[l], m),
          tf.reshape(matMul(shiftRow, weight), [-1]),
        ) as tf.Tensor1D;
        const activation =
          l + 1 < L || this.options.output === 'squash'
            ? ('sigmoid' as const)
            : ('linear' as const);
        return { weight: folded, bias, activation };
      }),
    );
    return makeStack(layers);
  }

  /** ∂L/∂(W_l, b_l) of the network from ∂L/∂(Ŵ_l, b̂_l) of its folded stack. */
  unfoldGradients(folded: readonly { weight: tf.Tensor2D; bias: tf.Tensor1D }[]): {
    weights: tf.Tensor2D[];
    biases: tf.Tensor1D[];
  } {
    return tf.tidy(() => {
      const weights: tf.Tensor2D[] = [];
      const biases: tf.Tensor1D[] = [];
      folded.forEach(({ weight, bias }, l) => {
        const { scaleColumn, shiftRow, m } = this.maps[l];
        const dW =
          l === 0 && this.inputColumns > this.inputDim
            ? (tf.slice(weight, [0, 0], [this.inputDim, -1]) as tf.Tensor2D)
            : weight;
        // m·P·dŴ + (m·q)ᵀ ⊗ db̂  (scaleColumn and shiftRow already carry m)
        weights.push(
          tf.add(
            tf.mul(dW, scaleColumn),
            matMul(tf.transpose(shiftRow), tf.reshape(bias, [1, -1])),
          ) as tf.Tensor2D,
        );
        biases.push(tf.mul(bias, m) as tf.Tensor1D);
      });
      return { weights, biases };
    });
  }

  dispose(): void {
    tf.dispose(this.maps.flatMap((map) => [map.scaleColumn, map.shiftRow]));
  }
}
