/**
 * MountainCar-v0 (gymnasium/envs/classic_control/mountain_car.py), batched. Float64 throughout;
 * only the observation is float32.
 */
import type { Rng } from '../rng';
import { BatchedEnvBase } from './batchedEnvBase';
import { defineEnv } from './defineEnv';
import { mountainCarTrackSpace } from './mountainCarTrack';
import type { ParamRules } from './params';
import type { EnvDefinition, EnvSpec } from './types';

const f32 = Math.fround;

const rules: ParamRules = {
  envId: 'MountainCar-v0',
  defaults: {
    min_position: -1.2,
    max_position: 0.6,
    max_speed: 0.07,
    goal_position: 0.5,
    goal_velocity: 0,
    force: 0.001,
    gravity: 0.0025,
  },
  positive: ['max_speed', 'force', 'gravity'],
};

export const mountainCarSpec: EnvSpec = {
  id: 'MountainCar-v0',
  ...mountainCarTrackSpace,
  actionSpace: { kind: 'discrete', n: 3 },
  maxEpisodeSteps: 200,
  rewardThreshold: -110,
  defaultParams: rules.defaults,
  paramRanges: {
    force: [0.0005, 0.002],
    gravity: [0.00125, 0.005],
    max_speed: [0.035, 0.14],
  },
};

class MountainCarBatch extends BatchedEnvBase {
  protected sampleInitialState(index: number, rng: Rng): void {
    this.states[0][index] = rng.uniform(-0.6, -0.4);
    this.states[1][index] = 0;
  }

  protected writeObservation(index: number): void {
    this.observations[0][index] = f32(this.states[0][index]);
    this.observations[1][index] = f32(this.states[1][index]);
  }

  protected advance(actions: ArrayLike<number>): void {
    const [positions, velocities] = this.states;
    const [observedPositions, observedVelocities] = this.observations;
    const { rewards, terminated } = this;
    const p = this.params;
    const minPosition = p.min_position;
    const maxPosition = p.max_position;
    const maxSpeed = p.max_speed;
    const goalPosition = p.goal_position;
    const goalVelocity = p.goal_velocity;
    const force = p.force;
    const negativeGravity = -p.gravity;

    for (let i = 0, n = this.size; i < n; i++) {
      let position = positions[i];
      // velocity += (action - 1) * force + math.cos(3 * position) * (-gravity), then clip.
      let velocity =
        velocities[i] + ((actions[i] - 1) * force + Math.cos(3 * position) * negativeGravity);
      if (velocity < -maxSpeed) velocity = -maxSpeed;
      else if (velocity > maxSpeed) velocity = maxSpeed;
      position += velocity;
      if (position < minPosition) position = minPosition;
      else if (position > maxPosition) position = maxPosition;
      // Inelastic wall on the left.
      if (position === minPosition && velocity < 0) velocity = 0;

      const done = position >= goalPosition && velocity >= goalVelocity;
      positions[i] = position;
      velocities[i] = velocity;
      observedPositions[i] = f32(position);
      observedVelocities[i] = f32(velocity);
      terminated[i] = done ? 1 : 0;
      rewards[i] = -1.0;
    }
  }
}

export const mountainCar: EnvDefinition = defineEnv(
  mountainCarSpec,
  rules,
  (size, params) => new MountainCarBatch(mountainCarSpec, params, size),
);
