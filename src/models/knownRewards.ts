/**
 * The envs' own reward and termination, written in tfjs and batched, as functions of what the
 * model predicts: (observation, env-format action, next observation). Each follows Gymnasium's
 * step() (classic_control, v1.x) line for line, with the thresholds taken from the env's params.
 * Terminations are indicator functions and pass no gradient (stopGradient.ts); the smooth parts of
 * the rewards do.
 */
import * as tf from '@tensorflow/tfjs';
import type { EnvId, PhysicalParams } from '../envs/types';
import { withoutGradient } from './stopGradient';

export interface KnownRewardModel {
  /** [R, obs] × [R, 1] × [R, obs] → rewards [R]. */
  reward(observations: tf.Tensor2D, actions: tf.Tensor2D, nextObservations: tf.Tensor2D): tf.Tensor1D;
  /** 1 where the next observation ends the episode, else 0: [R]; null if the env never terminates. */
  terminated(nextObservations: tf.Tensor2D): tf.Tensor1D | null;
}

export function knownRewardModel(envId: EnvId, params: PhysicalParams): KnownRewardModel {
  const param = (name: string, fallback: number) => params[name] ?? fallback;
  switch (envId) {
    case 'Pendulum-v1': {
      const maxTorque = param('max_torque', 2);
      return {
        // u = clip(u, −max_torque, max_torque);
        // costs = angle_normalize(th)² + 0.1·thdot² + 0.001·u², on the state before the step.
        reward: (obs, actions) => {
          const [cos, sin, thetaDot] = columns(obs, 3);
          const u = tf.clipByValue(flat(actions), -maxTorque, maxTorque);
          const theta = tf.atan2(sin, cos);
          const cost = tf.addN([tf.square(theta), tf.mul(tf.square(thetaDot), 0.1), tf.mul(tf.square(u), 0.001)]);
          return tf.neg(cost) as tf.Tensor1D;
        },
        terminated: () => null,
      };
    }
    case 'MountainCarContinuous-v0': {
      const done = goalReached(param('goal_position', 0.45), param('goal_velocity', 0));
      return {
        // reward = 100·terminated − 0.1·action², with the action as given (not clipped).
        reward: (_obs, actions, next) =>
          tf.sub(tf.mul(done(next), 100), tf.mul(tf.square(flat(actions)), 0.1)) as tf.Tensor1D,
        terminated: done,
      };
    }
    case 'MountainCar-v0': {
      const done = goalReached(param('goal_position', 0.5), param('goal_velocity', 0));
      return { reward: (obs) => tf.fill([obs.shape[0]], -1), terminated: done };
    }
    case 'CartPole-v1': {
      const xThreshold = param('x_threshold', 2.4);
      const thetaThreshold = param('theta_threshold_radians', (12 * 2 * Math.PI) / 360);
      return {
        // 1 on every step up to and including the terminating one (rollouts mask after it).
        reward: (obs) => tf.fill([obs.shape[0]], 1),
        terminated: withoutGradient((next) => {
          const [x, , theta] = columns(next, 4);
          return tf.cast(
            tf.logicalOr(tf.greater(tf.abs(x), xThreshold), tf.greater(tf.abs(theta), thetaThreshold)),
            'float32',
          ) as tf.Tensor1D;
        }),
      };
    }
    case 'Acrobot-v1': {
      // terminated = −cos(θ1) − cos(θ2 + θ1) > 1, from the observation's cos/sin:
      // cos(θ1 + θ2) = cos θ1 cos θ2 − sin θ1 sin θ2.
      const done = withoutGradient((next) => {
        const [cos1, sin1, cos2, sin2] = columns(next, 6);
        const cosSum = tf.sub(tf.mul(cos1, cos2), tf.mul(sin1, sin2));
        return tf.cast(tf.greater(tf.neg(tf.add(cos1, cosSum)), 1), 'float32') as tf.Tensor1D;
      });
      // reward = −1 while not terminated, 0 on the terminating step.
      return { reward: (_obs, _actions, next) => tf.sub(done(next), 1) as tf.Tensor1D, terminated: done };
    }
  }
}

function goalReached(goalPosition: number, goalVelocity: number) {
  // terminated = position ≥ goal_position and velocity ≥ goal_velocity
  return withoutGradient((next): tf.Tensor1D => {
    const [position, velocity] = columns(next, 2);
    return tf.cast(
      tf.logicalAnd(tf.greaterEqual(position, goalPosition), tf.greaterEqual(velocity, goalVelocity)),
      'float32',
    ) as tf.Tensor1D;
  });
}

/**
 * The columns of [R, d] as d tensors [R]. A transpose then row-unstack: on WASM a column slice of
 * a row-major tensor is a strided copy done in JS (~100 µs), a transpose is one C++ kernel.
 */
function columns(x: tf.Tensor2D, expected: number): tf.Tensor1D[] {
  if (x.shape[1] !== expected) throw new Error(`knownRewards: expected ${expected} columns, got ${x.shape[1]}`);
  return tf.unstack(tf.transpose(x)) as tf.Tensor1D[];
}

function flat(x: tf.Tensor2D): tf.Tensor1D {
  return tf.reshape(x, [-1]);
}
