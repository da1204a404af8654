/**
 * The renderers draw internal states; reports carry observations (what the model predicts). The
 * angles come back from their cos/sin pair with atan2, which also reads a model's prediction whose
 * pair is off the unit circle.
 */
import type { ActionSpace, EnvId } from '../../src/envs/types';

type FromObservation = (observation: readonly number[]) => number[];

const STATE_OF: Readonly<Record<EnvId, FromObservation>> = {
  'Pendulum-v1': ([cos, sin, thetaDot]) => [Math.atan2(sin, cos), thetaDot],
  'CartPole-v1': (observation) => [...observation],
  'MountainCar-v0': (observation) => [...observation],
  'MountainCarContinuous-v0': (observation) => [...observation],
  'Acrobot-v1': ([cos1, sin1, cos2, sin2, dtheta1, dtheta2]) => [
    Math.atan2(sin1, cos1),
    Math.atan2(sin2, cos2),
    dtheta1,
    dtheta2,
  ],
};

export function stateFromObservation(envId: EnvId, observation: readonly number[]): number[] {
  return STATE_OF[envId](observation);
}

/** An action as a share of the strongest push, −1…+1, as the renderers size their arrows. */
export function pushShare(space: ActionSpace, action: number | undefined): number {
  if (action === undefined || !Number.isFinite(action)) return 0;
  if (space.kind === 'box') return action / Math.max(Math.abs(space.low), Math.abs(space.high));
  const middle = (space.n - 1) / 2;
  return middle === 0 ? 0 : (action - middle) / middle;
}
