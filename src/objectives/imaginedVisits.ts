/** Where a policy goes in the model: the observations of B imagined rollouts from real states. */
import type { ReplayBuffer } from '../data/replayBuffer';
import { imagineForward } from '../imagination/forwardRollout';
import type { WorldModel } from '../models/worldModel';
import { sampleStartObservations } from '../policies/improver';
import type { PolicyNetwork } from '../policies/policyNetwork';
import type { Rng } from '../rng';

/**
 * Row-major observations [(H+1)·B, d] of rollouts that stay alive (terminated rows are dropped),
 * the policy taking its deterministic action.
 */
export async function imaginedVisits(
  model: WorldModel,
  policy: PolicyNetwork,
  buffer: ReplayBuffer,
  rollouts: number,
  horizon: number,
  rng: Rng,
): Promise<Float32Array> {
  const starts = sampleStartObservations(buffer, rollouts, rng);
  let rollout;
  try {
    rollout = await imagineForward(model, starts, policy, horizon, { member: 'random', rng });
  } catch (error) {
    starts.dispose();
    throw error;
  }
  try {
    const [observations, alive] = await Promise.all([
      rollout.observations.data(),
      rollout.alive.data(),
    ]);
    const d = model.observationDim;
    const kept: number[] = [];
    for (let t = 0; t <= horizon; t++) {
      for (let b = 0; b < rollouts; b++) {
        // A state reached after termination is not visited; the start always is.
        if (t > 0 && alive[(t - 1) * rollouts + b] === 0) continue;
        const at = (t * rollouts + b) * d;
        for (let k = 0; k < d; k++) kept.push(observations[at + k]);
      }
    }
    return Float32Array.from(kept);
  } finally {
    starts.dispose();
    rollout.dispose();
  }
}
