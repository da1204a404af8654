/**
 * The minimax step's weighting: the model's loss leans toward where the adversary and the
 * current policy go in imagination, with a floor so nothing real is ever forgotten.
 *
 *   ρ(o)  the visits of both players, histogrammed on the env's 2-D projection and smoothed
 *   w_i = (1 + λ·ρ(o_i)/ρ̄) / (1 + λ),   ρ̄ = mean_i ρ(o_i) over the buffer's rows,
 * so the weights average 1 over the buffer and no row weighs less than 1/(1 + λ): the uniform
 * floor. λ = 0 is maximum likelihood.
 */
import * as tf from '@tensorflow/tfjs';
import type { Projection } from '../envs/types';
import type { ReplayBuffer } from '../data/replayBuffer';
import { cellOf, visitCounts } from '../metrics/stateGrid';
import { logVarBoundPenalty, rowLosses, rowLossGradients } from '../models/likelihood';
import type { ModelObjective } from '../models/objective';

/** Finer than the report's map, coarse enough that a few thousand imagined states fill it. */
export const OCCUPANCY_GRID = 24;

/** Visits (row-major observations of dimension `dim`) → a smoothed density over the cells, Σ = 1. */
export function occupancyDensity(
  projection: Projection,
  visited: readonly Float32Array[],
  dim: number,
): Float64Array {
  const size = OCCUPANCY_GRID;
  const counts = new Float64Array(size * size);
  for (const rows of visited)
    visitCounts(projection, size, rows, dim).forEach((c, cell) => (counts[cell] += c));
  // A 3×3 box blur: a state next to a visited one is nearly as much the players' concern.
  const blurred = new Float64Array(size * size);
  let total = 0;
  for (let iy = 0; iy < size; iy++) {
    for (let ix = 0; ix < size; ix++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const x = ix + dx;
          const y = iy + dy;
          if (x >= 0 && x < size && y >= 0 && y < size) sum += counts[y * size + x];
        }
      }
      blurred[iy * size + ix] = sum;
      total += sum;
    }
  }
  return total === 0 ? blurred.fill(1 / (size * size)) : blurred.map((v) => v / total);
}

/** w per buffer slot (indexed by slot; slots not yet filled weigh 1). */
export function slotWeights(
  buffer: ReplayBuffer,
  projection: Projection,
  density: Float64Array,
  strength: number,
): Float32Array {
  const weights = new Float32Array(buffer.capacity).fill(1);
  const slots = buffer.slots('all');
  if (slots.length === 0 || strength === 0) return weights;
  const d = buffer.observationDim;
  const observations = buffer.gather(slots).observations;
  const rho = new Float64Array(slots.length);
  let mean = 0;
  for (let i = 0; i < slots.length; i++) {
    rho[i] = density[cellOf(projection, OCCUPANCY_GRID, observations.subarray(i * d, (i + 1) * d))];
    mean += rho[i] / slots.length;
  }
  for (let i = 0; i < slots.length; i++) {
    weights[slots[i]] = mean > 0 ? (1 + (strength * rho[i]) / mean) / (1 + strength) : 1;
  }
  return weights;
}

/** Likelihood with row weights looked up by buffer slot: Σ_i w_i ℓ_i / Σ_i w_i per member. */
export function weightedLikelihood(weightsBySlot: Float32Array): ModelObjective {
  return {
    name: 'occupancy-weighted likelihood',
    description: { kind: 'weightedLikelihood', weightsBySlot },
    loss(batch, context) {
      return tf.tidy(() => {
        const [E, b] = batch.inputs.shape;
        const w = tf.tensor2d(
          Float32Array.from(batch.slots, (slot) => weightsBySlot[slot]),
          [E, b],
        );
        const rows = rowLosses(context.forward(batch.inputs), batch.targets); // [E, b]
        const weighted = tf.div(tf.sum(tf.mul(rows, w), 1), tf.sum(w, 1));
        return tf.add(weighted, logVarBoundPenalty(context.parameters)) as tf.Tensor1D;
      });
    },
    gradient(batch, prediction) {
      const E = batch.inputs.length;
      const b = batch.slots.length / E;
      // Member m's rows weigh w_i / Σ_rows w.
      const columns = Array.from({ length: E }, (_, m) => {
        const w = Float32Array.from(batch.slots.subarray(m * b, (m + 1) * b), (slot) => weightsBySlot[slot]);
        const total = w.reduce((a, v) => a + v, 0);
        return tf.tensor2d(w.map((v) => v / total), [b, 1]);
      });
      try {
        return rowLossGradients(prediction, batch.targets, (m) => columns[m]);
      } finally {
        tf.dispose(columns);
      }
    },
  };
}
