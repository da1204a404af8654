/**
 * CartPole-v1 (gymnasium/envs/classic_control/cartpole.py), batched. Float64 throughout; only the
 * observation is float32. Euler integration, the default reward (1 per step, including the
 * terminating one).
 */
import type { Rng } from '../rng';
import { BatchedEnvBase, type StateDtype } from './batchedEnvBase';
import { defineEnv } from './defineEnv';
import type { ParamRules } from './params';
import type { EnvDefinition, EnvSpec } from './types';

const f32 = Math.fround;
const THETA_THRESHOLD_RADIANS = (12 * 2 * Math.PI) / 360;

const rules: ParamRules = {
  envId: 'CartPole-v1',
  defaults: {
    gravity: 9.8,
    masscart: 1.0,
    masspole: 0.1,
    length: 0.5,
    force_mag: 10.0,
    tau: 0.02,
    theta_threshold_radians: THETA_THRESHOLD_RADIANS,
    x_threshold: 2.4,
  },
  positive: ['masscart', 'masspole', 'length', 'tau', 'theta_threshold_radians', 'x_threshold'],
  derived: {
    total_mass: 'masspole + masscart',
    polemass_length: 'masspole * length',
  },
};

export const cartPoleSpec: EnvSpec = {
  id: 'CartPole-v1',
  stateNames: ['x', 'x_dot', 'theta', 'theta_dot'],
  observationNames: ['x', 'x_dot', 'theta', 'theta_dot'],
  observationLow: [f32(-2.4 * 2), -Infinity, f32(-THETA_THRESHOLD_RADIANS * 2), -Infinity],
  observationHigh: [f32(2.4 * 2), Infinity, f32(THETA_THRESHOLD_RADIANS * 2), Infinity],
  actionSpace: { kind: 'discrete', n: 2 },
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
  defaultParams: rules.defaults,
  paramRanges: {
    gravity: [4.9, 19.6],
    masscart: [0.5, 2],
    masspole: [0.05, 0.5],
    length: [0.25, 1],
    force_mag: [5, 20],
    tau: [0.01, 0.04],
  },
  projection: {
    xLabel: 'θ',
    yLabel: 'θ̇',
    xRange: [-THETA_THRESHOLD_RADIANS, THETA_THRESHOLD_RADIANS],
    yRange: [-3, 3],
    project: (observation) => [observation[2], observation[3]],
  },
};

class CartPoleBatch extends BatchedEnvBase {
  /**
   * Gymnasium's `steps_beyond_terminated is not None`: stepping on after termination earns 0.
   * Cleared by reset and by setState.
   */
  private readonly hasTerminated = new Uint8Array(this.size);

  protected override onStateSet(index: number, _dtype: StateDtype): void {
    this.hasTerminated[index] = 0;
  }

  protected sampleInitialState(index: number, rng: Rng): void {
    for (const component of this.states) component[index] = rng.uniform(-0.05, 0.05);
    this.hasTerminated[index] = 0;
  }

  protected writeObservation(index: number): void {
    for (let k = 0; k < 4; k++) this.observations[k][index] = f32(this.states[k][index]);
  }

  protected advance(actions: ArrayLike<number>): void {
    const [xs, xDots, thetas, thetaDots] = this.states;
    const [observedXs, observedXDots, observedThetas, observedThetaDots] = this.observations;
    const { rewards, terminated, hasTerminated } = this;
    const p = this.params;
    const gravity = p.gravity;
    const masspole = p.masspole;
    const totalMass = p.masspole + p.masscart;
    const length = p.length;
    const polemassLength = p.masspole * p.length;
    const forceMag = p.force_mag;
    const tau = p.tau;
    const thetaThreshold = p.theta_threshold_radians;
    const xThreshold = p.x_threshold;

    for (let i = 0, n = this.size; i < n; i++) {
      const x = xs[i];
      const xDot = xDots[i];
      const theta = thetas[i];
      const thetaDot = thetaDots[i];
      const force = actions[i] === 1 ? forceMag : -forceMag;
      const cosTheta = Math.cos(theta);
      const sinTheta = Math.sin(theta);

      // https://coneural.org/florian/papers/05_cart_pole.pdf, in Gymnasium's operation order.
      const temp = (force + polemassLength * (thetaDot * thetaDot) * sinTheta) / totalMass;
      const thetaAcc =
        (gravity * sinTheta - cosTheta * temp) /
        (length * (4.0 / 3.0 - (masspole * (cosTheta * cosTheta)) / totalMass));
      const xAcc = temp - (polemassLength * thetaAcc * cosTheta) / totalMass;

      // Explicit Euler: positions move with the old velocities.
      const newX = x + tau * xDot;
      const newXDot = xDot + tau * xAcc;
      const newTheta = theta + tau * thetaDot;
      const newThetaDot = thetaDot + tau * thetaAcc;

      xs[i] = newX;
      xDots[i] = newXDot;
      thetas[i] = newTheta;
      thetaDots[i] = newThetaDot;
      observedXs[i] = f32(newX);
      observedXDots[i] = f32(newXDot);
      observedThetas[i] = f32(newTheta);
      observedThetaDots[i] = f32(newThetaDot);

      const done =
        newX < -xThreshold ||
        newX > xThreshold ||
        newTheta < -thetaThreshold ||
        newTheta > thetaThreshold;
      terminated[i] = done ? 1 : 0;
      if (!done) {
        rewards[i] = 1.0;
      } else if (hasTerminated[i] === 0) {
        hasTerminated[i] = 1;
        rewards[i] = 1.0;
      } else {
        rewards[i] = 0.0;
      }
    }
  }
}

export const cartPole: EnvDefinition = defineEnv(
  cartPoleSpec,
  rules,
  (size, params) => new CartPoleBatch(cartPoleSpec, params, size),
);
