/**
 * The world model as the imagination engine runs it: its weights frozen for a phase (the policy
 * trains against a fixed model) and folded once (memberFolding.ts), in one of two layouts:
 * - block (blockEnsemble.ts): the members side by side, a handful of kernels a step; rows that
 *   each step one member take one member's arithmetic per layer (chosenMemberLayers.ts), rows
 *   that every member runs a block-diagonal matMul per hidden layer (E² blocks);
 * - members (memberEnsemble.ts): one matMul per member and layer on every row: E times the
 *   kernels, E times less arithmetic than the block layout.
 * Which one is fixed by the sizes (layoutChoice.ts).
 * Which member steps each row comes as a member mask per step (memberChoice.ts).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ActionSpace } from '../envs/types';
import type { WorldModel } from '../models/worldModel';
import { BlockEnsemble } from './blockEnsemble';
import type { StackActivation } from './kernels';
import { usesBlockLayout } from './layoutChoice';
import { MemberEnsemble } from './memberEnsemble';
import {
  foldModel,
  type ActionInput,
  type EnsembleColumns,
  type FoldOptions,
} from './memberFolding';

export type { ActionInput, EnsembleColumns };

export type HiddenActivation = StackActivation | 'silu';

/** Which member steps each row at one step, in the form the layout reads. */
export interface MemberMask {
  /** [R, E]: one-hot rows, or 1/E for the mean. */
  readonly weights: tf.Tensor2D;
  /** Block layout: [R, E·W] (depth 0: [R, E·D]) 0/1 per unit, null if every member runs every row. */
  readonly hidden: tf.Tensor2D | null;
  /** Block layout: [R, E·W] (or [R, E·D]): the weights per unit, for the last layer before the sum. */
  readonly last: tf.Tensor2D | null;
  /** Member layout: member m's weight per row [R, 1]. */
  readonly columns: tf.Tensor2D[] | null;
}

/** What one step keeps for its backward pass. */
export interface EnsembleTrace {
  readonly input: tf.Tensor2D;
  /** Block: each hidden layer's masked output (depth 0: the masked per-member outputs); members: member-major. */
  readonly hidden: tf.Tensor2D[];
  /** silu's pre-activations, whose derivative needs z. */
  readonly preActivations: tf.Tensor2D[];
  readonly mask: MemberMask;
}

export type FrozenEnsembleOptions = FoldOptions;

export interface FrozenEnsemble {
  readonly members: number;
  readonly depth: number;
  readonly activation: HiddenActivation;
  readonly columns: EnsembleColumns;
  readonly actionSpace: ActionSpace;
  /** One step's mask from member weights [R, E] (one-hot rows, or 1/E for the mean). */
  mask(weights: tf.Tensor2D, kind: 'oneHot' | 'mean'): MemberMask;
  /** H steps' masks from their weights stacked [H·R, E] (one-hot rows), widened once for all. */
  stepMasks(weights: tf.Tensor2D, horizon: number): MemberMask[];
  /**
   * One imagined step of the chosen members: the next state [R, state] = state + O (Δo, and r in
   * the accumulator column), O's summands (for the learned reward, which sits in their
   * accumulator column), and what backward needs if `keep`. X = [state | features].
   */
  advance(
    state: tf.Tensor2D,
    input: tf.Tensor2D,
    mask: MemberMask,
    keep: boolean,
  ): { next: tf.Tensor2D; change: tf.Tensor2D[]; trace: EnsembleTrace | null };
  /**
   * The hidden layers' act′ for many steps at once, as factors per step (stacked, two kernels a
   * layer, cut back into steps) where the output alone gives them (relu, sigmoid); else null.
   */
  hiddenDerivatives(traces: readonly EnsembleTrace[]): (tf.Tensor2D[] | null)[];
  /**
   * dL/dX [R, input] of one step from dL/dO given in input columns (the state's columns first;
   * whatever sits in the feature columns is ignored), with `hiddenDerivatives`' factors if any.
   */
  backward(
    dChange: tf.Tensor2D,
    trace: EnsembleTrace,
    derivatives?: readonly tf.Tensor2D[] | null,
  ): tf.Tensor2D;
  /** Every member's Δo for the same rows X [n, input] → [n, E·d] (member m's block at m·d). */
  memberDeltas(input: tf.Tensor2D): { deltas: tf.Tensor2D; trace: EnsembleTrace };
  /** dL/dX [n, input] from dL/d(every member's Δo) [n, E·d]. */
  memberDeltasBackward(dDeltas: tf.Tensor2D, trace: EnsembleTrace): tf.Tensor2D;
  dispose(): void;
}

export const FrozenEnsemble = {
  /** The model folded for a phase, in the layout its size calls for. */
  async fromModel(model: WorldModel, options: FrozenEnsembleOptions): Promise<FrozenEnsemble> {
    const { perMember, columns } = await foldModel(model, options);
    const activation: HiddenActivation =
      model.config.activation === 'tanh' ? 'sigmoid' : model.config.activation;
    const { members, hiddenLayers, hiddenUnits } = model.config;
    return usesBlockLayout(members, hiddenLayers, hiddenUnits)
      ? new BlockEnsemble(perMember, activation, columns, model.spec.actionSpace)
      : new MemberEnsemble(perMember, activation, columns, model.spec.actionSpace);
  },
};
