/**
 * The model's held-out loss as the maximin ball measures it: the normalised MSE of every member on
 * the buffer's holdout rows (the report's `losses.modelHoldout`), averaged over members, with the
 * statistics of the last fit. The rows are uploaded once and reused for every evaluation.
 */
import * as tf from '@tensorflow/tfjs';
import type { ReplayBuffer, Split } from '../data/replayBuffer';
import { ensembleForward } from '../models/ensembleForward';
import { meanSquaredErrors } from '../models/likelihood';
import { normalizeRows, rawInputsAndTargets } from '../models/normalizer';
import type { WorldModel } from '../models/worldModel';

export class HeldOutLoss {
  /** Which split the rows came from: 'train' only when the holdout split is empty. */
  readonly split: Split;
  readonly rows: number;
  private readonly inputs: tf.Tensor3D;
  private readonly targets: tf.Tensor3D;

  /** Up to `maxRows` rows, evenly spaced through the split. */
  constructor(
    private readonly model: WorldModel,
    buffer: ReplayBuffer,
    maxRows: number,
  ) {
    // A run with holdoutFraction 0 has no held-out rows: the ball is then measured on the
    // training rows, a looser test (the MLE was fitted to them) but the only data there is.
    const holdout = buffer.slots('holdout');
    this.split = holdout.length > 0 ? 'holdout' : 'train';
    const all = holdout.length > 0 ? holdout : buffer.slots('train');
    if (all.length === 0) throw new Error('HeldOutLoss: the buffer is empty');
    const count = Math.min(all.length, maxRows);
    const slots = Int32Array.from(
      { length: count },
      (_, i) => all[Math.floor((i * all.length) / count)],
    );
    const raw = rawInputsAndTargets(buffer.gather(slots), model.spec.actionSpace);
    const { stats } = model;
    const E = model.config.members;
    // Every member judged on the same rows: the rows repeated E times, member-major.
    const repeat = (values: Float32Array) => {
      const out = new Float32Array(E * values.length);
      for (let m = 0; m < E; m++) out.set(values, m * values.length);
      return out;
    };
    this.rows = count;
    this.inputs = tf.tensor3d(repeat(normalizeRows(raw.inputs, stats.inputMean, stats.inputStd)), [
      E,
      count,
      raw.inputDim,
    ]);
    this.targets = tf.tensor3d(
      repeat(normalizeRows(raw.targets, stats.targetMean, stats.targetStd)),
      [E, count, raw.targetDim],
    );
  }

  /** L(θ) = mean_m mean_rows ‖μ_m(x) − y‖² / D at the model's current parameters. */
  async evaluate(): Promise<number> {
    const { model } = this;
    const loss = tf.tidy(() =>
      tf.mean(
        meanSquaredErrors(ensembleForward(model.ensemble, this.inputs, model.layout), this.targets),
      ),
    );
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  }

  dispose(): void {
    tf.dispose([this.inputs, this.targets]);
  }
}
