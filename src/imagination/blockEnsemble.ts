/**
 * The block layout of the frozen ensemble (frozenEnsemble.ts): the members side by side, E blocks
 * of the hidden width W,
 *   H₁ = act(X·[W₀¹ … W₀ᴱ] + b₀) ⊙ M̃          X = [o | r_acc | features], M̃ the member mask widened
 *   H_l = act(H_{l−1}·blockdiag(W_l¹ … W_lᴱ) + b_l) ⊙ M̃
 *   O = H_L·[W_L¹; …; W_Lᴱ] + M·B              → the chosen member's Δo (and r) per row
 * where M [R, E] says which member steps each row (a one-hot per row, or 1/E for the mean).
 * That is the members' mean, and every member's Δo on shared rows (`memberDeltas`); one-hot rows
 * past the first hidden layer take one member's arithmetic instead (chosenMemberLayers.ts).
 * Depth 0 (a linear model) has no hidden layer to mask: O = ((X·[W¹ … Wᴱ] + b) ⊙ M̃ₒ)·S, with
 * S [E·D, D] summing the member blocks.
 */
import * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import { tidyKeeping } from '../models/tidy';
import { denseLayer } from './denseStack';
import type { EnsembleTrace, FrozenEnsemble, HiddenActivation, MemberMask } from './frozenEnsemble';
import {
  buildChosenMemberLayers,
  chosenLayerForward,
  disposeChosenMemberLayers,
  narrows,
  widenedHeadBackward,
  widenedHeadForward,
  type ChosenMemberLayers,
} from './chosenMemberLayers';
import { activationGradient, matMul, splitRows } from './kernels';
import { stepDerivatives } from './stepDerivatives';
import {
  blockOnes,
  inputColumn,
  set,
  toFloat32,
  transpose,
  zeros,
  type EnsembleColumns,
  type HostLayer,
  type Matrix,
} from './memberFolding';

export class BlockEnsemble implements FrozenEnsemble {
  readonly members: number;
  readonly hiddenWidth: number;
  readonly depth: number;
  readonly activation: HiddenActivation;
  readonly columns: EnsembleColumns;
  readonly actionSpace: ActionSpace;
  private readonly layers: { weight: tf.Tensor2D; bias: tf.Tensor1D }[];
  private readonly transposed: tf.Tensor2D[];
  /** [E, state]: each member's output bias (depth ≥ 1). */
  private readonly memberBias: tf.Tensor2D | null;
  /** [E, E·W] (depth 0: [E, E·D]): widens a member mask to its units. */
  private readonly widen: tf.Tensor2D;
  /** Depth 0: [E·D, D] sums the member blocks; [input, E·D] its transpose for backward. */
  private readonly sumMembers: tf.Tensor2D | null;
  private readonly sumMembersTransposed: tf.Tensor2D | null;
  /** Every member's Δo on shared rows: the head block-diagonal [E·W, E·d], its bias [E·d], its transpose. */
  private readonly memberHead: { weight: tf.Tensor2D; bias: tf.Tensor1D; transposed: tf.Tensor2D };
  /** Depth ≥ 2: the layers past the first at one member's arithmetic, for one-hot rows. */
  private readonly chosen: ChosenMemberLayers | null;

  constructor(
    perMember: HostLayer[][],
    activation: HiddenActivation,
    columns: EnsembleColumns,
    actionSpace: ActionSpace,
  ) {
    this.members = perMember.length;
    this.depth = perMember[0].length - 1;
    this.hiddenWidth = this.depth === 0 ? 0 : perMember[0][0].columns;
    this.activation = activation;
    this.columns = columns;
    this.actionSpace = actionSpace;
    const E = this.members;
    const built = buildBlockLayout(perMember, columns);
    this.layers = built.layers.map(({ weight, bias }) => ({
      weight: tf.tensor2d(toFloat32(weight.values), [weight.rows, weight.columns]),
      bias: tf.tensor1d(toFloat32(bias)),
    }));
    this.transposed = built.transposed.map((t) =>
      tf.tensor2d(toFloat32(t.values), [t.rows, t.columns]),
    );
    this.memberBias =
      built.memberBias === null
        ? null
        : tf.tensor2d(toFloat32(built.memberBias), [E, columns.state]);
    const unit = this.depth === 0 ? columns.state : this.hiddenWidth;
    this.widen = tf.tensor2d(blockOnes(E, unit), [E, E * unit]);
    this.sumMembers =
      built.sumMembers === null
        ? null
        : tf.tensor2d(toFloat32(built.sumMembers.values), [E * columns.state, columns.state]);
    this.sumMembersTransposed =
      built.sumMembersTransposed === null
        ? null
        : tf.tensor2d(toFloat32(built.sumMembersTransposed.values), [
            columns.input,
            E * columns.state,
          ]);
    const head = memberDeltaHead(perMember, columns);
    this.memberHead = {
      weight: tf.tensor2d(toFloat32(head.weight.values), [head.weight.rows, head.weight.columns]),
      bias: tf.tensor1d(toFloat32(head.bias)),
      transposed: tf.tensor2d(toFloat32(head.transposed.values), [
        head.transposed.rows,
        head.transposed.columns,
      ]),
    };
    this.chosen = this.depth >= 2 ? buildChosenMemberLayers(perMember, columns) : null;
  }

  /** Widens member weights [R, E] (one-hot rows, or 1/E for the mean) into a step's mask. */
  mask(weights: tf.Tensor2D, kind: 'oneHot' | 'mean'): MemberMask {
    const widened = matMul(weights, this.widen) as tf.Tensor2D;
    if (kind === 'mean') return { weights, hidden: null, last: widened, columns: null };
    const head = this.chosen?.head ?? null;
    return {
      weights,
      hidden: widened,
      last: head === null ? widened : matMul(weights, head.widenMask),
      columns: null,
    };
  }

  stepMasks(weights: tf.Tensor2D, horizon: number): MemberMask[] {
    const perStep = splitRows(weights, horizon);
    const hidden = splitWidened(weights, this.widen, horizon);
    const head = this.chosen?.head ?? null;
    const last = head === null ? hidden : splitWidened(weights, head.widenMask, horizon);
    return perStep.map((w, t) => ({ weights: w, hidden: hidden[t], last: last[t], columns: null }));
  }

  /**
   * One imagined step of the chosen members: the next state [R, state] = state + O (Δo, and r in
   * the accumulator column), O's summands (for the learned reward), and what backward needs if
   * `keep`. X = [state | features].
   */
  advance(
    state: tf.Tensor2D,
    input: tf.Tensor2D,
    mask: MemberMask,
    keep: boolean,
  ): { next: tf.Tensor2D; change: tf.Tensor2D[]; trace: EnsembleTrace | null } {
    return tidyKeeping(() => {
      const hidden: tf.Tensor2D[] = [];
      const preActivations: tf.Tensor2D[] = [];
      let change: tf.Tensor2D[];
      if (this.depth === 0) {
        const masked = tf.mul(
          tf.add(matMul(input, this.layers[0].weight), this.layers[0].bias),
          mask.last as tf.Tensor2D,
        ) as tf.Tensor2D;
        hidden.push(masked);
        change = [matMul(masked, this.sumMembers as tf.Tensor2D)];
      } else if (this.chosen !== null && mask.hidden !== null) {
        const first = this.hiddenLayer(input, 0);
        if (first.z !== null) preActivations.push(first.z);
        let h = tf.mul(first.y, mask.hidden) as tf.Tensor2D;
        hidden.push(h);
        this.chosen.layers.forEach((layer) => {
          const { y, z } = chosenLayerForward(
            layer,
            h,
            mask.weights,
            mask.hidden as tf.Tensor2D,
            this.activation,
          );
          if (z !== null) preActivations.push(z);
          h = y;
          hidden.push(h);
        });
        const head = this.chosen.head;
        change =
          head === null
            ? [
                matMul(h, this.layers[this.depth].weight),
                matMul(mask.weights, this.memberBias as tf.Tensor2D),
              ]
            : [widenedHeadForward(head, h, mask.last as tf.Tensor2D)];
      } else {
        let h = input;
        for (let l = 0; l < this.depth; l++) {
          const layerMask = l + 1 === this.depth ? mask.last : mask.hidden;
          const { y, z } = this.hiddenLayer(h, l);
          if (z !== null) preActivations.push(z);
          h = layerMask === null ? y : (tf.mul(y, layerMask) as tf.Tensor2D);
          hidden.push(h);
        }
        change = [
          matMul(h, this.layers[this.depth].weight),
          matMul(mask.weights, this.memberBias as tf.Tensor2D),
        ];
      }
      const next = tf.addN([state, ...change]) as tf.Tensor2D;
      return {
        next,
        change: this.columns.state > this.columns.observation ? change : [],
        trace: keep ? { input, hidden, preActivations, mask } : null,
      };
    });
  }

  /**
   * The hidden layers' act′ for many steps at once, as factors per step and layer (stacked, two
   * kernels, cut back into steps), where the masked output alone gives it: relu and sigmoid
   * (0 where the mask zeroed a unit). Null where backward works it out per step.
   */
  hiddenDerivatives(traces: readonly EnsembleTrace[]): (tf.Tensor2D[] | null)[] {
    const activation = this.activation;
    if (
      this.depth === 0 ||
      (activation !== 'relu' && activation !== 'sigmoid') ||
      traces.some((t) => t.mask.hidden === null)
    ) {
      return traces.map(() => null);
    }
    return stepDerivatives(traces, this.depth, activation);
  }

  /**
   * dL/dX [R, input] of one step from dL/dO, with dO given in input columns (the state's
   * columns first; whatever sits in the feature columns is ignored). `derivatives`: the
   * hidden layers' act′ from `hiddenDerivatives`, if it gave them.
   */
  backward(
    dChange: tf.Tensor2D,
    trace: EnsembleTrace,
    derivatives: readonly tf.Tensor2D[] | null = null,
  ): tf.Tensor2D {
    if (this.depth === 0) {
      const dMasked = tf.mul(
        matMul(dChange, this.sumMembersTransposed as tf.Tensor2D),
        trace.mask.last as tf.Tensor2D,
      ) as tf.Tensor2D;
      return matMul(dMasked, this.transposed[0]);
    }
    if (trace.mask.hidden === null)
      throw new Error("FrozenEnsemble.backward: the members' mean is for forward rollouts only");
    const chosen = this.chosen;
    const head = chosen?.head ?? null;
    // transposed[depth] is the stacked head's transpose laid out on input columns: [input, E·W].
    let dh: tf.Tensor2D =
      head === null
        ? matMul(dChange, this.transposed[this.depth])
        : widenedHeadBackward(head, dChange, trace.mask.last as tf.Tensor2D);
    let silu = trace.preActivations.length;
    for (let l = this.depth - 1; l >= 0; l--) {
      const out = trace.hidden[l];
      // Wide outputs were masked; a narrow one is the chosen member's own.
      const masked = l === 0 || chosen === null || !narrows(l);
      let dz: tf.Tensor2D;
      if (derivatives !== null) {
        dz = tf.mul(dh, derivatives[l]) as tf.Tensor2D;
      } else if (this.activation === 'silu') {
        silu--;
        dz = siluGradient(dh, trace.preActivations[silu]);
        if (masked) dz = tf.mul(dz, trace.mask.hidden) as tf.Tensor2D;
      } else {
        // relu′ and sigmoid′ vanish where the mask zeroed the output; elu′ does not (it is 1 at 0).
        dz = activationGradient(dh, out, this.activation);
        if (this.activation === 'elu' && masked) dz = tf.mul(dz, trace.mask.hidden) as tf.Tensor2D;
      }
      dh = matMul(
        dz,
        l === 0 || chosen === null ? this.transposed[l] : chosen.layers[l - 1].transposed,
      );
    }
    return dh;
  }

  /**
   * Every member's predicted Δo for the same rows X [n, input] → [n, E·d] (member m's block at
   * m·d), and what `memberDeltasBackward` needs: the ensemble's disagreement and its gradient.
   */
  memberDeltas(input: tf.Tensor2D): { deltas: tf.Tensor2D; trace: EnsembleTrace } {
    return tidyKeeping(() => {
      const hidden: tf.Tensor2D[] = [];
      const preActivations: tf.Tensor2D[] = [];
      // At depth 0 the head reads the input itself.
      let h = input;
      for (let l = 0; l < this.depth; l++) {
        const { y, z } = this.hiddenLayer(h, l);
        if (z !== null) preActivations.push(z);
        h = y;
        hidden.push(h);
      }
      const deltas = tf.add(matMul(h, this.memberHead.weight), this.memberHead.bias) as tf.Tensor2D;
      const everyone = tf.ones([1, 1]) as tf.Tensor2D;
      return {
        deltas,
        trace: {
          input,
          hidden,
          preActivations,
          mask: { weights: everyone, hidden: null, last: everyone, columns: null },
        },
      };
    });
  }

  /** dL/dX [n, input] from dL/d(every member's Δo) [n, E·d]. */
  memberDeltasBackward(dDeltas: tf.Tensor2D, trace: EnsembleTrace): tf.Tensor2D {
    return tf.tidy(() => {
      let dh: tf.Tensor2D = matMul(dDeltas, this.memberHead.transposed);
      let silu = trace.preActivations.length;
      for (let l = this.depth - 1; l >= 0; l--) {
        if (this.activation === 'silu') {
          silu--;
          dh = matMul(siluGradient(dh, trace.preActivations[silu]), this.transposed[l]);
        } else {
          dh = matMul(activationGradient(dh, trace.hidden[l], this.activation), this.transposed[l]);
        }
      }
      return dh;
    });
  }

  dispose(): void {
    tf.dispose([...this.layers.flatMap((l) => [l.weight, l.bias]), ...this.transposed, this.widen]);
    tf.dispose([this.memberHead.weight, this.memberHead.bias, this.memberHead.transposed]);
    tf.dispose(
      [this.memberBias, this.sumMembers, this.sumMembersTransposed].filter(
        (t): t is tf.Tensor2D => t !== null,
      ),
    );
    if (this.chosen !== null) disposeChosenMemberLayers(this.chosen);
  }

  private hiddenLayer(x: tf.Tensor2D, l: number): { y: tf.Tensor2D; z: tf.Tensor2D | null } {
    const { weight, bias } = this.layers[l];
    if (this.activation === 'silu') {
      const z = denseLayer(x, { weight, bias, activation: 'linear' });
      return { y: tf.mul(z, tf.sigmoid(z)) as tf.Tensor2D, z };
    }
    return { y: denseLayer(x, { weight, bias, activation: this.activation }), z: null };
  }
}

/** weights [H·R, E] widened by [E, n] and cut into the H steps. */
function splitWidened(weights: tf.Tensor2D, widen: tf.Tensor2D, horizon: number): tf.Tensor2D[] {
  const widened = matMul(weights, widen);
  const perStep = splitRows(widened, horizon);
  widened.dispose();
  return perStep;
}

/** silu′(z) = σ(z)·(1 + z·(1 − σ(z))). */
function siluGradient(dy: tf.Tensor2D, z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const s = tf.sigmoid(z);
    return tf.mul(dy, tf.mul(s, tf.add(1, tf.mul(z, tf.sub(1, s))))) as tf.Tensor2D;
  });
}

interface BlockLayout {
  readonly layers: { weight: Matrix; bias: Float64Array }[];
  /** Per layer Wᵀ; the head's (or, at depth 0, the first layer's) laid out on input columns. */
  readonly transposed: Matrix[];
  readonly memberBias: Float64Array | null;
  readonly sumMembers: Matrix | null;
  readonly sumMembersTransposed: Matrix | null;
}

/**
 * Members side by side. A member's input rows are the model's (o, features); the model input X
 * adds the learned reward's accumulator between them, which every member reads with a zero row.
 */
function buildBlockLayout(perMember: HostLayer[][], columns: EnsembleColumns): BlockLayout {
  const E = perMember.length;
  const L = perMember[0].length - 1;
  const { state, input } = columns;
  const inputColumnOf = (i: number) => inputColumn(i, columns);
  const layers: { weight: Matrix; bias: Float64Array }[] = [];
  const transposed: Matrix[] = [];
  if (L === 0) {
    // X·[W¹ … Wᴱ] + [b¹ … bᴱ], member blocks of the state's width.
    const weight = zeros(input, E * state);
    const bias = new Float64Array(E * state);
    perMember.forEach((layers, m) => {
      const { rows, columns: D, weight: w, bias: b } = layers[0];
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < D; j++) set(weight, inputColumnOf(i), m * state + j, w[i * D + j]);
      for (let j = 0; j < D; j++) bias[m * state + j] = b[j];
    });
    layers.push({ weight, bias });
    transposed.push(transpose(weight));
    const sumMembers = zeros(E * state, state);
    for (let m = 0; m < E; m++)
      for (let j = 0; j < state; j++) set(sumMembers, m * state + j, j, 1);
    // Backward reads dO on input columns: the feature columns' rows stay zero.
    const sumMembersTransposed = zeros(input, E * state);
    for (let m = 0; m < E; m++)
      for (let j = 0; j < state; j++) set(sumMembersTransposed, j, m * state + j, 1);
    return { layers, transposed, memberBias: null, sumMembers, sumMembersTransposed };
  }
  const W = perMember[0][0].columns;
  for (let l = 0; l < L; l++) {
    const rows = l === 0 ? input : E * W;
    const weight = zeros(rows, E * W);
    const bias = new Float64Array(E * W);
    perMember.forEach((layers, m) => {
      const { rows: r, columns: c, weight: w, bias: b } = layers[l];
      for (let i = 0; i < r; i++) {
        const row = l === 0 ? inputColumnOf(i) : m * W + i;
        for (let j = 0; j < c; j++) set(weight, row, m * W + j, w[i * c + j]);
      }
      for (let j = 0; j < c; j++) bias[m * W + j] = b[j];
    });
    layers.push({ weight, bias });
    transposed.push(transpose(weight));
  }
  // The head: [E·W, state], its bias per member; its transpose on input columns [input, E·W].
  const head = zeros(E * W, state);
  const headTransposed = zeros(input, E * W);
  const memberBias = new Float64Array(E * state);
  perMember.forEach((layers, m) => {
    const { rows, columns: D, weight: w, bias: b } = layers[L];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < D; j++) {
        set(head, m * W + i, j, w[i * D + j]);
        set(headTransposed, j, m * W + i, w[i * D + j]);
      }
    }
    for (let j = 0; j < D; j++) memberBias[m * state + j] = b[j];
  });
  layers.push({ weight: head, bias: new Float64Array(state) });
  transposed.push(headTransposed);
  return { layers, transposed, memberBias, sumMembers: null, sumMembersTransposed: null };
}

/**
 * The members' Δo heads side by side, for rows every member runs: [E·W, E·d] block-diagonal (at
 * depth 0, [input, E·d] from the input), its bias and its transpose.
 */
function memberDeltaHead(
  perMember: HostLayer[][],
  columns: EnsembleColumns,
): { weight: Matrix; bias: Float64Array; transposed: Matrix } {
  const E = perMember.length;
  const L = perMember[0].length - 1;
  const d = columns.observation;
  const rowsPerMember = L === 0 ? 0 : perMember[0][0].columns;
  const rows = L === 0 ? columns.input : E * rowsPerMember;
  const weight = zeros(rows, E * d);
  const bias = new Float64Array(E * d);
  perMember.forEach((layers, m) => {
    const { rows: r, columns: D, weight: w, bias: b } = layers[L];
    for (let i = 0; i < r; i++) {
      const row = L === 0 ? (i < d ? i : i + (columns.state - d)) : m * rowsPerMember + i;
      for (let j = 0; j < d; j++) set(weight, row, m * d + j, w[i * D + j]);
    }
    for (let j = 0; j < d; j++) bias[m * d + j] = b[j];
  });
  return { weight, bias, transposed: transpose(weight) };
}
