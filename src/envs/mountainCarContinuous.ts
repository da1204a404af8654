/**
 * MountainCarContinuous-v0 (gymnasium/envs/classic_control/continuous_mountain_car.py), batched.
 *
 * Gymnasium stores the state as float32 after every step but as float64 right after reset, and its
 * scalar code mixes NumPy float32 values with plain Python floats. Under NumPy 2's promotion rules
 * an operation is float32 exactly when a float32 operand meets only Python floats, so each env
 * keeps a dtype flag and each intermediate value tracks whether it is still a NumPy float32 or has
 * become a Python float (a clipped bound, the zeroed velocity).
 */
import type { Rng } from '../rng';
import { BatchedEnvBase, type StateDtype } from './batchedEnvBase';
import { defineEnv } from './defineEnv';
import { mountainCarTrackSpace } from './mountainCarTrack';
import type { ParamRules } from './params';
import type { EnvDefinition, EnvSpec } from './types';

const f32 = Math.fround;

const rules: ParamRules = {
  envId: 'MountainCarContinuous-v0',
  defaults: {
    min_action: -1,
    max_action: 1,
    min_position: -1.2,
    max_position: 0.6,
    max_speed: 0.07,
    goal_position: 0.45,
    goal_velocity: 0,
    power: 0.0015,
    // Not an attribute in Gymnasium (a literal 0.0025 in step); named as in MountainCar-v0 so it
    // can be perturbed.
    gravity: 0.0025,
  },
  positive: ['max_speed', 'power', 'gravity'],
};

export const mountainCarContinuousSpec: EnvSpec = {
  id: 'MountainCarContinuous-v0',
  ...mountainCarTrackSpace,
  actionSpace: { kind: 'box', low: -1, high: 1, dim: 1 },
  maxEpisodeSteps: 999,
  rewardThreshold: 90,
  defaultParams: rules.defaults,
  paramRanges: {
    power: [0.00075, 0.003],
    gravity: [0.00125, 0.005],
    max_speed: [0.035, 0.14],
  },
};

class MountainCarContinuousBatch extends BatchedEnvBase {
  /** 1 where Gymnasium holds env i's state as float32 (after any step), 0 for float64 (after reset). */
  private readonly float32State = new Uint8Array(this.size);

  override stateDtypeAt(index: number): StateDtype {
    return this.float32State[index] === 1 ? 'float32' : 'float64';
  }

  protected override onStateSet(index: number, dtype: StateDtype): void {
    this.float32State[index] = dtype === 'float32' ? 1 : 0;
  }

  protected sampleInitialState(index: number, rng: Rng): void {
    this.states[0][index] = rng.uniform(-0.6, -0.4);
    this.states[1][index] = 0;
    this.float32State[index] = 0;
  }

  protected writeObservation(index: number): void {
    this.observations[0][index] = f32(this.states[0][index]);
    this.observations[1][index] = f32(this.states[1][index]);
  }

  protected advance(actions: ArrayLike<number>): void {
    const [positions, velocities] = this.states;
    const [observedPositions, observedVelocities] = this.observations;
    const { rewards, terminated, float32State } = this;
    const p = this.params;
    const minAction = p.min_action;
    const maxAction = p.max_action;
    const minPosition = p.min_position;
    const maxPosition = p.max_position;
    const maxSpeed = p.max_speed;
    const goalPosition = p.goal_position;
    const goalVelocity = p.goal_velocity;
    const power = p.power;
    const gravity = p.gravity;
    // The same Python floats as seen by a float32 operand.
    const minAction32 = f32(minAction);
    const maxAction32 = f32(maxAction);
    const minPosition32 = f32(minPosition);
    const maxPosition32 = f32(maxPosition);
    const maxSpeed32 = f32(maxSpeed);
    const goalPosition32 = f32(goalPosition);
    const goalVelocity32 = f32(goalVelocity);
    const power32 = f32(power);

    for (let i = 0, n = this.size; i < n; i++) {
      const stateIsFloat32 = float32State[i] === 1;
      let position = positions[i];
      let velocity = velocities[i];
      let positionIsFloat32 = stateIsFloat32;
      let velocityIsFloat32 = stateIsFloat32;
      const action = f32(actions[i]);

      // force = min(max(action[0], min_action), max_action): a clipped force is the Python float
      // bound, otherwise the float32 action itself.
      // velocity += force * power - 0.0025 * math.cos(3 * position)
      const gravityPull = gravity * Math.cos(stateIsFloat32 ? f32(3 * position) : 3 * position);
      let increment: number;
      let incrementIsFloat32: boolean;
      if (minAction32 > action || action > maxAction32) {
        const force = minAction32 > action ? minAction : maxAction;
        increment = force * power - gravityPull;
        incrementIsFloat32 = false;
      } else {
        increment = f32(f32(action * power32) - f32(gravityPull));
        incrementIsFloat32 = true;
      }
      if (velocityIsFloat32) {
        velocity = f32(velocity + (incrementIsFloat32 ? increment : f32(increment)));
      } else {
        velocity = velocity + increment;
      }

      if (velocity > (velocityIsFloat32 ? maxSpeed32 : maxSpeed)) {
        velocity = maxSpeed;
        velocityIsFloat32 = false;
      }
      if (velocity < (velocityIsFloat32 ? -maxSpeed32 : -maxSpeed)) {
        velocity = -maxSpeed;
        velocityIsFloat32 = false;
      }

      // position += velocity: float32 if position is, with a Python-float velocity cast to float32.
      if (positionIsFloat32) {
        position = f32(position + (velocityIsFloat32 ? velocity : f32(velocity)));
      } else {
        position = position + velocity;
      }
      if (position > (positionIsFloat32 ? maxPosition32 : maxPosition)) {
        position = maxPosition;
        positionIsFloat32 = false;
      }
      if (position < (positionIsFloat32 ? minPosition32 : minPosition)) {
        position = minPosition;
        positionIsFloat32 = false;
      }
      // A clipped position is the float64 bound, so this test is float64 after a clip: a port that
      // compared with f32(min_position) here would miss the inelastic stop at the left wall.
      if (position === (positionIsFloat32 ? minPosition32 : minPosition) && velocity < 0) {
        velocity = 0;
        velocityIsFloat32 = false;
      }

      const done =
        position >= (positionIsFloat32 ? goalPosition32 : goalPosition) &&
        velocity >= (velocityIsFloat32 ? goalVelocity32 : goalVelocity);
      // reward = (100 if terminated else 0) - action[0]**2 * 0.1, float64, unclipped action.
      rewards[i] = (done ? 100.0 : 0) - action * action * 0.1;
      terminated[i] = done ? 1 : 0;

      // self.state = np.array([position, velocity], dtype=np.float32)
      const position32 = f32(position);
      const velocity32 = f32(velocity);
      positions[i] = position32;
      velocities[i] = velocity32;
      observedPositions[i] = position32;
      observedVelocities[i] = velocity32;
      float32State[i] = 1;
    }
  }
}

export const mountainCarContinuous: EnvDefinition = defineEnv(
  mountainCarContinuousSpec,
  rules,
  (size, params) => new MountainCarContinuousBatch(mountainCarContinuousSpec, params, size),
);
