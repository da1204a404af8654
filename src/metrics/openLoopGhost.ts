/**
 * The ghost in the env view: the model's open-loop prediction of a real episode. From the same
 * start it replays the actions the real policy took, never looking at the real states again, so
 * where the ghost and the real env part is where the model's errors have compounded.
 */
import * as tf from '@tensorflow/tfjs';
import { imagineForward } from '../imagination/forwardRollout';
import type { WorldModel } from '../models/worldModel';

/** Observations [steps + 1][obsDim] predicted by the ensemble mean, start included. */
export async function openLoopPrediction(
  model: WorldModel,
  start: ArrayLike<number>,
  actions: ArrayLike<number>,
): Promise<number[][]> {
  const d = model.observationDim;
  const steps = actions.length;
  if (steps === 0) return [Array.from(start).slice(0, d)];
  const startTensor = tf.tensor2d(Float32Array.from(start).subarray(0, d), [1, d]);
  const actionTensors = Array.from(actions, (action) => tf.tensor2d([action], [1, 1]));
  let step = 0;
  // The rollout calls its policy once per step, in order: replay the recorded actions.
  const replay = () => actionTensors[Math.min(step++, steps - 1)].clone();
  try {
    const rollout = await imagineForward(model, startTensor, replay, steps, { member: 'mean' });
    const values = await rollout.observations.data();
    rollout.dispose();
    return Array.from({ length: steps + 1 }, (_, t) => Array.from(values.subarray(t * d, (t + 1) * d)));
  } finally {
    tf.dispose([startTensor, ...actionTensors]);
  }
}
