/**
 * The block layout's layers past the first, for rows that each step one member (one-hot masks),
 * at one member's arithmetic instead of the block-diagonal matMul's E members on every row
 * (blockEnsemble.ts). A masked wide activation [R, E·W] is zero outside the chosen member's
 * block, so the members' weights stacked on top of each other pick that member's product:
 *   narrow   Z = H̃·[W¹; …; Wᴱ] + M·B                  [R, E·W] → [R, W]
 *   widen    H̃′ = act(H·[W¹ … Wᴱ] + [b¹ … bᴱ]) ⊙ M̃      [R, W] → [R, E·W]
 * The first hidden layer is wide (the input layer's weights side by side, as in the block
 * layout), then the layers alternate narrow, wide, narrow… After a narrow last hidden layer the
 * head is widened, masked and summed over the members:
 *   O = ((H·[W¹ … Wᴱ] + [b¹ … bᴱ]) ⊙ M̃ₒ)·S            [R, W] → [R, E·state] → [R, state]
 * (after a wide one the block layout's stacked head already picks the member). On WASM, 3 × 64
 * units: a narrow layer is 62 µs against 190–250 µs for the block-diagonal one.
 */
import * as tf from '@tensorflow/tfjs';
import type { HiddenActivation } from './frozenEnsemble';
import { denseLayer } from './denseStack';
import { matMul } from './kernels';
import {
  blockOnes,
  set,
  toFloat32,
  transpose,
  zeros,
  type EnsembleColumns,
  type HostLayer,
  type Matrix,
} from './memberFolding';

export type ChosenLayer =
  | {
      readonly kind: 'narrow';
      readonly weight: tf.Tensor2D;
      readonly transposed: tf.Tensor2D;
      readonly memberBias: tf.Tensor2D;
    }
  | {
      readonly kind: 'wide';
      readonly weight: tf.Tensor2D;
      readonly transposed: tf.Tensor2D;
      readonly bias: tf.Tensor1D;
    };

/** The head after a narrow last hidden layer. */
export interface WidenedHead {
  /** [W, E·state] and its bias [E·state]: every member's output side by side. */
  readonly weight: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  /** [E·state, W]. */
  readonly transposed: tf.Tensor2D;
  /** [E·state, state]: sums the member blocks. */
  readonly sum: tf.Tensor2D;
  /** [input, E·state]: copies dL/dO's state columns into every member's block. */
  readonly spread: tf.Tensor2D;
  /** [E, E·state]: widens a member mask to the head's units. */
  readonly widenMask: tf.Tensor2D;
}

export interface ChosenMemberLayers {
  /** Hidden layers 1 … L−1 (layer 0 is the block layout's own). */
  readonly layers: readonly ChosenLayer[];
  /** Null when the last hidden layer is wide. */
  readonly head: WidenedHead | null;
}

/** Whether hidden layer l (≥ 1) narrows: its input is wide, every other layer from the first. */
export function narrows(l: number): boolean {
  return l % 2 === 1;
}

export function buildChosenMemberLayers(
  perMember: HostLayer[][],
  columns: EnsembleColumns,
): ChosenMemberLayers {
  const E = perMember.length;
  const L = perMember[0].length - 1;
  const W = perMember[0][0].columns;
  const layers: ChosenLayer[] = [];
  for (let l = 1; l < L; l++) {
    if (narrows(l)) {
      const stacked = zeros(E * W, W);
      const memberBias = new Float64Array(E * W);
      perMember.forEach((member, m) => {
        const { weight: w, bias: b } = member[l];
        for (let i = 0; i < W; i++)
          for (let j = 0; j < W; j++) set(stacked, m * W + i, j, w[i * W + j]);
        memberBias.set(b, m * W);
      });
      layers.push({
        kind: 'narrow',
        weight: tensor(stacked),
        transposed: tensor(transpose(stacked)),
        memberBias: tf.tensor2d(toFloat32(memberBias), [E, W]),
      });
    } else {
      const { weight, bias } = sideBySide(perMember, l, W);
      layers.push({
        kind: 'wide',
        weight: tensor(weight),
        transposed: tensor(transpose(weight)),
        bias: tf.tensor1d(toFloat32(bias)),
      });
    }
  }
  return { layers, head: narrows(L - 1) ? widenedHead(perMember, columns) : null };
}

export function disposeChosenMemberLayers(chosen: ChosenMemberLayers): void {
  for (const layer of chosen.layers)
    tf.dispose([
      layer.weight,
      layer.transposed,
      layer.kind === 'narrow' ? layer.memberBias : layer.bias,
    ]);
  if (chosen.head !== null) {
    const { weight, bias, transposed, sum, spread, widenMask } = chosen.head;
    tf.dispose([weight, bias, transposed, sum, spread, widenMask]);
  }
}

/** Layer l's pre-activation and output from the previous layer's output h; z is kept for silu. */
export function chosenLayerForward(
  layer: ChosenLayer,
  h: tf.Tensor2D,
  memberWeights: tf.Tensor2D,
  wideMask: tf.Tensor2D,
  activation: HiddenActivation,
): { y: tf.Tensor2D; z: tf.Tensor2D | null } {
  if (layer.kind === 'wide') {
    if (activation === 'silu') {
      const z = matMul(h, layer.weight, layer.bias);
      return { y: tf.mul(tf.mul(z, tf.sigmoid(z)), wideMask) as tf.Tensor2D, z };
    }
    return {
      y: tf.mul(
        denseLayer(h, { weight: layer.weight, bias: layer.bias, activation }),
        wideMask,
      ) as tf.Tensor2D,
      z: null,
    };
  }
  const z = tf.add(matMul(h, layer.weight), matMul(memberWeights, layer.memberBias)) as tf.Tensor2D;
  switch (activation) {
    case 'silu':
      return { y: tf.mul(z, tf.sigmoid(z)) as tf.Tensor2D, z };
    case 'relu':
      return { y: tf.relu(z), z: null };
    case 'sigmoid':
      return { y: tf.sigmoid(z), z: null };
    case 'elu':
      return { y: tf.elu(z), z: null };
    case 'tanh':
      return { y: tf.tanh(z), z: null };
    case 'linear':
      return { y: z, z: null };
  }
}

/** The chosen member's output [R, state] from a narrow last hidden layer's output. */
export function widenedHeadForward(
  head: WidenedHead,
  h: tf.Tensor2D,
  outputMask: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() =>
    matMul(tf.mul(matMul(h, head.weight, head.bias), outputMask) as tf.Tensor2D, head.sum),
  );
}

/** dL/dH [R, W] of the narrow last hidden layer from dL/dO in input columns. */
export function widenedHeadBackward(
  head: WidenedHead,
  dChange: tf.Tensor2D,
  outputMask: tf.Tensor2D,
): tf.Tensor2D {
  return tf.tidy(() =>
    matMul(tf.mul(matMul(dChange, head.spread), outputMask) as tf.Tensor2D, head.transposed),
  );
}

function widenedHead(perMember: HostLayer[][], columns: EnsembleColumns): WidenedHead {
  const E = perMember.length;
  const L = perMember[0].length - 1;
  const W = perMember[0][0].columns;
  const { state, input } = columns;
  const weight = zeros(W, E * state);
  const bias = new Float64Array(E * state);
  perMember.forEach((member, m) => {
    const { columns: D, weight: w, bias: b } = member[L];
    for (let i = 0; i < W; i++)
      for (let j = 0; j < D; j++) set(weight, i, m * state + j, w[i * D + j]);
    for (let j = 0; j < D; j++) bias[m * state + j] = b[j];
  });
  const sum = zeros(E * state, state);
  // dL/dO comes in input columns, the state's first: the feature rows stay zero.
  const spread = zeros(input, E * state);
  for (let m = 0; m < E; m++) {
    for (let j = 0; j < state; j++) {
      set(sum, m * state + j, j, 1);
      set(spread, j, m * state + j, 1);
    }
  }
  return {
    weight: tensor(weight),
    bias: tf.tensor1d(toFloat32(bias)),
    transposed: tensor(transpose(weight)),
    sum: tensor(sum),
    spread: tensor(spread),
    widenMask: tf.tensor2d(blockOnes(E, state), [E, E * state]),
  };
}

/** Layer l of every member side by side: [W, E·W] and [E·W]. */
function sideBySide(
  perMember: HostLayer[][],
  l: number,
  W: number,
): { weight: Matrix; bias: Float64Array } {
  const E = perMember.length;
  const weight = zeros(W, E * W);
  const bias = new Float64Array(E * W);
  perMember.forEach((member, m) => {
    const { weight: w, bias: b } = member[l];
    for (let i = 0; i < W; i++) for (let j = 0; j < W; j++) set(weight, i, m * W + j, w[i * W + j]);
    bias.set(b, m * W);
  });
  return { weight, bias };
}

function tensor(matrix: Matrix): tf.Tensor2D {
  return tf.tensor2d(toFloat32(matrix.values), [matrix.rows, matrix.columns]);
}
