/**
 * The member layout of the frozen ensemble (frozenEnsemble.ts), for ensembles too wide for the
 * block layout's wasted blocks: every member runs every row through its own layers,
 *   O_m = f̂_m(X),   O = Σ_m c_m ⊙ O_m     (c_m [R, 1]: member m's weight per row, 0/1 or 1/E)
 * and the backward pass goes through each member and sums: dX = Σ_m f̂_mᵀ·(c_m ⊙ dO).
 * E times less arithmetic than the block layout's E² blocks, E times its kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import { tidyKeeping } from '../models/tidy';
import { denseLayer } from './denseStack';
import type { EnsembleTrace, FrozenEnsemble, HiddenActivation, MemberMask } from './frozenEnsemble';
import { activationGradient, matMul, splitRows } from './kernels';
import { stepDerivatives } from './stepDerivatives';
import {
  inputColumn,
  set,
  toFloat32,
  transpose,
  zeros,
  type EnsembleColumns,
  type HostLayer,
  type Matrix,
} from './memberFolding';

interface MemberLayers {
  /** Hidden layers then the head; the first reads the model input's columns. */
  readonly layers: { weight: tf.Tensor2D; bias: tf.Tensor1D }[];
  /** Per layer Wᵀ; the first's output is in input columns, the head's input is in input columns. */
  readonly transposed: tf.Tensor2D[];
  /** The head's Δo columns alone, and its transpose from [d] (for memberDeltas). */
  readonly deltaHead: { weight: tf.Tensor2D; bias: tf.Tensor1D; transposed: tf.Tensor2D };
}

export class MemberEnsemble implements FrozenEnsemble {
  readonly members: number;
  readonly depth: number;
  readonly activation: HiddenActivation;
  readonly columns: EnsembleColumns;
  readonly actionSpace: ActionSpace;
  private readonly perMember: MemberLayers[];

  constructor(
    perMember: HostLayer[][],
    activation: HiddenActivation,
    columns: EnsembleColumns,
    actionSpace: ActionSpace,
  ) {
    this.members = perMember.length;
    this.depth = perMember[0].length - 1;
    this.activation = activation;
    this.columns = columns;
    this.actionSpace = actionSpace;
    this.perMember = perMember.map((layers) => memberLayers(layers, columns));
  }

  mask(weights: tf.Tensor2D, kind: 'oneHot' | 'mean'): MemberMask {
    void kind;
    return { weights, hidden: null, last: null, columns: memberColumns(weights) };
  }

  stepMasks(weights: tf.Tensor2D, horizon: number): MemberMask[] {
    return splitRows(weights, horizon).map((w) => this.mask(w, 'oneHot'));
  }

  advance(
    state: tf.Tensor2D,
    input: tf.Tensor2D,
    mask: MemberMask,
    keep: boolean,
  ): { next: tf.Tensor2D; change: tf.Tensor2D[]; trace: EnsembleTrace | null } {
    const weights = mask.columns as tf.Tensor2D[];
    return tidyKeeping(() => {
      const hidden: tf.Tensor2D[] = [];
      const preActivations: tf.Tensor2D[] = [];
      const change = this.perMember.map((member, m) => {
        const h = this.hiddenLayers(member, input, hidden, preActivations);
        const head = member.layers[this.depth];
        return tf.mul(matMul(h, head.weight, head.bias), weights[m]) as tf.Tensor2D;
      });
      const next = tf.addN([state, ...change]) as tf.Tensor2D;
      return {
        next,
        change: this.columns.state > this.columns.observation ? change : [],
        trace: keep ? { input, hidden, preActivations, mask } : null,
      };
    });
  }

  hiddenDerivatives(traces: readonly EnsembleTrace[]): (tf.Tensor2D[] | null)[] {
    const activation = this.activation;
    if (this.depth === 0 || (activation !== 'relu' && activation !== 'sigmoid'))
      return traces.map(() => null);
    // Hidden tensors are member-major: member m's layer l at m·depth + l.
    return stepDerivatives(traces, this.members * this.depth, activation);
  }

  backward(
    dChange: tf.Tensor2D,
    trace: EnsembleTrace,
    derivatives: readonly tf.Tensor2D[] | null = null,
  ): tf.Tensor2D {
    const weights = trace.mask.columns as tf.Tensor2D[];
    return tf.tidy(() => {
      const perMember = this.perMember.map((member, m) => {
        // The head's transpose reads dO in input columns (its feature rows are zero).
        const dh = matMul(
          tf.mul(dChange, weights[m]) as tf.Tensor2D,
          member.transposed[this.depth],
        );
        return this.hiddenBackward(member, m, dh, trace, derivatives);
      });
      return (perMember.length === 1 ? perMember[0] : tf.addN(perMember)) as tf.Tensor2D;
    });
  }

  memberDeltas(input: tf.Tensor2D): { deltas: tf.Tensor2D; trace: EnsembleTrace } {
    return tidyKeeping(() => {
      const hidden: tf.Tensor2D[] = [];
      const preActivations: tf.Tensor2D[] = [];
      const deltas = this.perMember.map((member) => {
        const h = this.hiddenLayers(member, input, hidden, preActivations);
        return matMul(h, member.deltaHead.weight, member.deltaHead.bias);
      });
      const everyone = tf.ones([1, 1]) as tf.Tensor2D;
      return {
        deltas: tf.concat(deltas, 1) as tf.Tensor2D,
        trace: {
          input,
          hidden,
          preActivations,
          mask: { weights: everyone, hidden: null, last: null, columns: null },
        },
      };
    });
  }

  memberDeltasBackward(dDeltas: tf.Tensor2D, trace: EnsembleTrace): tf.Tensor2D {
    return tf.tidy(() => {
      const parts = tf.split(dDeltas, this.members, 1) as tf.Tensor2D[];
      const perMember = this.perMember.map((member, m) =>
        this.hiddenBackward(member, m, matMul(parts[m], member.deltaHead.transposed), trace, null),
      );
      return (perMember.length === 1 ? perMember[0] : tf.addN(perMember)) as tf.Tensor2D;
    });
  }

  dispose(): void {
    for (const member of this.perMember) {
      tf.dispose([...member.layers.flatMap((l) => [l.weight, l.bias]), ...member.transposed]);
      tf.dispose([member.deltaHead.weight, member.deltaHead.bias, member.deltaHead.transposed]);
    }
  }

  /** The member's hidden layers on X, recording their outputs (and silu's z) member-major. */
  private hiddenLayers(
    member: MemberLayers,
    input: tf.Tensor2D,
    hidden: tf.Tensor2D[],
    preActivations: tf.Tensor2D[],
  ): tf.Tensor2D {
    let h = input;
    for (let l = 0; l < this.depth; l++) {
      const { weight, bias } = member.layers[l];
      if (this.activation === 'silu') {
        const z = denseLayer(h, { weight, bias, activation: 'linear' });
        preActivations.push(z);
        h = tf.mul(z, tf.sigmoid(z)) as tf.Tensor2D;
      } else {
        h = denseLayer(h, { weight, bias, activation: this.activation });
      }
      hidden.push(h);
    }
    return h;
  }

  /** From dL/d(member m's last hidden layer) (or, at depth 0, its output) to dL/dX in input columns. */
  private hiddenBackward(
    member: MemberLayers,
    m: number,
    dLast: tf.Tensor2D,
    trace: EnsembleTrace,
    derivatives: readonly tf.Tensor2D[] | null,
  ): tf.Tensor2D {
    let dh = dLast;
    for (let l = this.depth - 1; l >= 0; l--) {
      const k = m * this.depth + l;
      let dz: tf.Tensor2D;
      if (derivatives !== null) dz = tf.mul(dh, derivatives[k]) as tf.Tensor2D;
      else if (this.activation === 'silu') dz = siluGradient(dh, trace.preActivations[k]);
      else dz = activationGradient(dh, trace.hidden[k], this.activation);
      dh = matMul(dz, member.transposed[l]);
    }
    return dh;
  }
}

/** c_m = the member's column of the weights [R, E], as E tensors [R, 1]. */
function memberColumns(weights: tf.Tensor2D): tf.Tensor2D[] {
  return tf.tidy(() => tf.split(weights, weights.shape[1], 1) as tf.Tensor2D[]);
}

/** silu′(z) = σ(z)·(1 + z·(1 − σ(z))). */
function siluGradient(dy: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const s = tf.sigmoid(z);
    return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))))) as tf.Tensor2D;
  });
}

/**
 * One member's layers as tensors: the first on the model input's columns (the accumulator's row
 * zero), the head on the state's (Δo, and r into the accumulator column); the transposes that
 * read and write input columns; the head's Δo part alone.
 */
function memberLayers(layers: HostLayer[], columns: EnsembleColumns): MemberLayers {
  const L = layers.length - 1;
  const { observation: d, state, input } = columns;
  const upload = (m: Matrix) => tf.tensor2d(toFloat32(m.values), [m.rows, m.columns]);
  const tensors: MemberLayers['layers'] = [];
  const transposed: tf.Tensor2D[] = [];
  layers.forEach((layer, l) => {
    const rows = l === 0 ? input : layer.rows;
    const columnsOut = l === L ? state : layer.columns;
    const weight = zeros(rows, columnsOut);
    for (let i = 0; i < layer.rows; i++) {
      const row = l === 0 ? inputColumn(i, columns) : i;
      for (let j = 0; j < layer.columns; j++)
        set(weight, row, j, layer.weight[i * layer.columns + j]);
    }
    const bias = new Float64Array(columnsOut);
    bias.set(layer.bias.subarray(0, columnsOut));
    tensors.push({ weight: upload(weight), bias: tf.tensor1d(toFloat32(bias)) });
    // The head's transpose takes dO in input columns: its rows past the state's are zero.
    const t = transpose(weight);
    transposed.push(upload(l === L ? padRows(t, input) : t));
  });
  const head = layers[L];
  const deltaWeight = zeros(L === 0 ? input : head.rows, d);
  for (let i = 0; i < head.rows; i++) {
    const row = L === 0 ? inputColumn(i, columns) : i;
    for (let j = 0; j < d; j++) set(deltaWeight, row, j, head.weight[i * head.columns + j]);
  }
  return {
    layers: tensors,
    transposed,
    deltaHead: {
      weight: upload(deltaWeight),
      bias: tf.tensor1d(toFloat32(head.bias.subarray(0, d))),
      transposed: upload(transpose(deltaWeight)),
    },
  };
}

/** [r, c] → [r′ ≥ r, c], zero rows below. */
function padRows(matrix: Matrix, rows: number): Matrix {
  const out = zeros(rows, matrix.columns);
  for (let i = 0; i < matrix.rows; i++)
    for (let j = 0; j < matrix.columns; j++) set(out, i, j, matrix.values[i * matrix.columns + j]);
  return out;
}
