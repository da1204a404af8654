/**
 * The simulation lemma, telescoped along real on-policy trajectories with the critic standing in
 * for the value of the policy in the model:
 *   J_sim − J_real = Σ_t E_real[ V(f̂(s_t, a_t)) − V(f(s_t, a_t)) ],
 * so |gap| ≤ Σ_t E_real |V(ŝ_{t+1}) − V(s_{t+1})|, the critic-weighted one-step error summed over
 * the episode. It tracks the gap only as well as the critic tracks the model's value; it is the
 * quantity the policy-aware objectives shrink (an error that moves no value costs nothing here).
 */
import * as tf from '@tensorflow/tfjs';
import type { WorldModel } from '../models/worldModel';
import type { Critic } from '../policies/critic';
import type { TransitionRows } from './transitionRows';

/** Per row: mean over members of |V(ô'_m) − V(o')|. */
export async function criticErrors(model: WorldModel, critic: Critic, rows: TransitionRows): Promise<Float32Array> {
  if (rows.count === 0) return new Float32Array(0);
  const d = rows.observationDim;
  const errors = tf.tidy(() => {
    const observations = tf.tensor2d(rows.observations, [rows.count, d]);
    const actions = tf.tensor2d(rows.actions, [rows.count, 1]);
    const truth = tf.tensor2d(rows.nextObservations, [rows.count, d]);
    const predicted = model.predict(observations, actions).nextObservations;
    const members = predicted.shape[0];
    const predictedValues = critic.value(predicted.reshape([members * rows.count, d]) as tf.Tensor2D);
    const trueValues = critic.value(truth);
    return predictedValues.reshape([members, rows.count]).sub(trueValues).abs().mean(0) as tf.Tensor1D;
  });
  const values = (await errors.data()) as Float32Array;
  errors.dispose();
  return values;
}

/** Σ over an episode's steps of the critic error, averaged over episodes. */
export function simulationBound(perRowCriticError: Float32Array, episodes: number): number {
  let sum = 0;
  for (const value of perRowCriticError) sum += value;
  return episodes > 0 ? sum / episodes : Number.NaN;
}
