/**
 * A frozen ensemble's hidden activations' derivatives for a whole rollout at once: act′ of each
 * hidden slot over every step's rows stacked (two kernels a slot), cut back into the steps,
 * instead of two kernels per slot and step. Relu and sigmoid only: their derivative is a function
 * of the output alone.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnsembleTrace } from './frozenEnsemble';
import { activationDerivative, splitRows } from './kernels';

/** [step][slot]: act′ of trace t's `hidden[slot]`. */
export function stepDerivatives(
  traces: readonly EnsembleTrace[],
  slots: number,
  activation: 'relu' | 'sigmoid',
): tf.Tensor2D[][] {
  const perSlot = Array.from({ length: slots }, (_, k) =>
    tf.tidy(() =>
      splitRows(
        activationDerivative(
          tf.concat(
            traces.map((t) => t.hidden[k]),
            0,
          ) as tf.Tensor2D,
          activation,
        ),
        traces.length,
      ),
    ),
  );
  return traces.map((_, t) => perSlot.map((factors) => factors[t]));
}
