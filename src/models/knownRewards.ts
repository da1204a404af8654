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
  /**
   * ∂(Σ_i dReward_i·r_i) w.r.t. the observations [R, obs] and the env-format actions [R, 1], by
   * hand (the imagination engine backpropagates without a tape); null where the reward does not
   * depend on them. No reward here depends smoothly on the next observation.
   */
  rewardGradient(
    observations: tf.Tensor2D,
    actions: tf.Tensor2D,
    dReward: tf.Tensor1D,
  ): { observations: tf.Tensor2D | null; actions: tf.Tensor2D | null };
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
        // ∂r/∂cos = 2θ·sin/(cos² + sin²), ∂r/∂sin = −2θ·cos/(cos² + sin²)   (θ = atan2(sin, cos))
        // ∂r/∂θ̇ = −0.2·θ̇,  ∂r/∂a = −0.002·u where −max ≤ a ≤ max (the clip passes), else 0
        rewardGradient: (obs, actions, dReward) =>
          tf.tidy(() => {
            const [cos, sin, thetaDot] = columns(obs, 3);
            const theta = tf.atan2(sin, cos);
            const scale = tf.div(tf.mul(tf.mul(theta, 2), dReward), tf.add(tf.square(cos), tf.square(sin)));
            const a = flat(actions);
            const inside = tf.cast(tf.logicalAnd(tf.greaterEqual(a, -maxTorque), tf.lessEqual(a, maxTorque)), 'float32');
            return {
              observations: tf.stack([tf.mul(scale, sin), tf.neg(tf.mul(scale, cos)), tf.mul(tf.mul(thetaDot, -0.2), dReward)], 1) as tf.Tensor2D,
              actions: tf.reshape(tf.mul(tf.mul(tf.mul(a, -0.002), inside), dReward), [-1, 1]) as tf.Tensor2D,
            };
          }),
        terminated: () => null,
      };
    }
    case 'MountainCarContinuous-v0': {
      const done = goalReached(param('goal_position', 0.45), param('goal_velocity', 0));
      return {
        // reward = 100·terminated − 0.1·action², with the action as given (not clipped).
        reward: (_obs, actions, next) =>
          tf.sub(tf.mul(done(next), 100), tf.mul(tf.square(flat(actions)), 0.1)) as tf.Tensor1D,
        // ∂r/∂a = −0.2·a
        rewardGradient: (_obs, actions, dReward) => ({
          observations: null,
          actions: tf.tidy(() => tf.reshape(tf.mul(tf.mul(flat(actions), -0.2), dReward), [-1, 1]) as tf.Tensor2D),
        }),
        terminated: done,
      };
    }
    case 'MountainCar-v0': {
      const done = goalReached(param('goal_position', 0.5), param('goal_velocity', 0));
      return { reward: (obs) => tf.fill([obs.shape[0]], -1), rewardGradient: noGradient, terminated: done };
    }
    case 'CartPole-v1': {
      const xThreshold = param('x_threshold', 2.4);
      const thetaThreshold = param('theta_threshold_radians', (12 * 2 * Math.PI) / 360);
      return {
        // 1 on every step up to and including the terminating one (rollouts mask after it).
        reward: (obs) => tf.fill([obs.shape[0]], 1),
        rewardGradient: noGradient,
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
      return { reward: (_obs, _actions, next) => tf.sub(done(next), 1) as tf.Tensor1D, rewardGradient: noGradient, terminated: done };
    }
  }
}

/** A reward that is constant, or changes only with termination: nothing smooth to differentiate. */
function noGradient(): { observations: null; actions: null } {
  return { observations: null, actions: null };
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
