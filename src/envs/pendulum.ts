/**
 * Pendulum-v1 (gymnasium/envs/classic_control/pendulum.py), batched.
 *
 * State [theta, theta_dot] is float64; theta is not wrapped (it winds freely). The action is a
 * float32 torque, so NumPy 2 computes `3.0 / (m l^2) * u` and `0.001 * u^2` in float32.
 */
import type { Rng } from '../rng';
import { BatchedEnvBase } from './batchedEnvBase';
import { defineEnv } from './defineEnv';
import { floatModulo } from './numerics';
import type { ParamRules } from './params';
import type { EnvDefinition, EnvSpec } from './types';

const TWO_PI = 2 * Math.PI;
const TORQUE_COST_WEIGHT_F32 = Math.fround(0.001);

const rules: ParamRules = {
  envId: 'Pendulum-v1',
  defaults: { max_speed: 8, max_torque: 2, dt: 0.05, g: 10, m: 1, l: 1 },
  positive: ['max_speed', 'max_torque', 'dt', 'm', 'l'],
};

export const pendulumSpec: EnvSpec = {
  id: 'Pendulum-v1',
  stateNames: ['theta', 'theta_dot'],
  observationNames: ['cos_theta', 'sin_theta', 'theta_dot'],
  observationLow: [-1, -1, -8],
  observationHigh: [1, 1, 8],
  actionSpace: { kind: 'box', low: -2, high: 2, dim: 1 },
  maxEpisodeSteps: 200,
  rewardThreshold: null,
  defaultParams: rules.defaults,
  paramRanges: {
    g: [5, 15],
    m: [0.5, 2],
    l: [0.5, 2],
    dt: [0.025, 0.1],
    max_torque: [1, 3],
    max_speed: [4, 12],
  },
  projection: {
    xLabel: 'θ',
    yLabel: 'θ̇',
    xRange: [-Math.PI, Math.PI],
    yRange: [-8, 8],
    project: (observation) => [Math.atan2(observation[1], observation[0]), observation[2]],
  },
};

/**
 * Gymnasium's `angle_normalize(x) = ((x + pi) % (2 pi)) - pi` with NumPy's `%`, without the slow
 * fmod call for |x + pi| within two periods, where NumPy's result is known exactly:
 *   [0, 2pi): x itself;  [2pi, 4pi): x - 2pi, exact (Sterbenz), as fmod's remainder is;
 *   (-2pi, 0): fmod returns x and NumPy adds 2pi, the same rounded sum as here.
 * -2pi itself is left to floatModulo: fmod gives -0, which NumPy turns into +0.
 */
export function angleNormalize(theta: number): number {
  const shifted = theta + Math.PI;
  let wrapped: number;
  if (shifted >= 0) {
    if (shifted < TWO_PI) wrapped = shifted;
    else if (shifted < 2 * TWO_PI) wrapped = shifted - TWO_PI;
    else wrapped = floatModulo(shifted, TWO_PI);
  } else if (shifted > -TWO_PI) {
    wrapped = shifted + TWO_PI;
  } else {
    wrapped = floatModulo(shifted, TWO_PI);
  }
  return wrapped - Math.PI;
}

class PendulumBatch extends BatchedEnvBase {
  /**
   * sin(theta) as computed for the last observation, and the theta it was computed for: the next
   * step needs sin of the same theta, and trig calls dominate the cost of a step. The argument is
   * kept so a state written directly into `states` is never paired with a stale sine.
   */
  private readonly sineOf = new Float64Array(this.size).fill(NaN);
  private readonly sine = new Float64Array(this.size);

  protected sampleInitialState(index: number, rng: Rng): void {
    this.states[0][index] = rng.uniform(-Math.PI, Math.PI);
    this.states[1][index] = rng.uniform(-1, 1);
  }

  protected writeObservation(index: number): void {
    const theta = this.states[0][index];
    const sinTheta = Math.sin(theta);
    this.sineOf[index] = theta;
    this.sine[index] = sinTheta;
    this.observations[0][index] = Math.fround(Math.cos(theta));
    this.observations[1][index] = Math.fround(sinTheta);
    this.observations[2][index] = Math.fround(this.states[1][index]);
  }

  protected advance(actions: ArrayLike<number>): void {
    const [thetas, thetaDots] = this.states;
    const [cosines, sines, observedThetaDots] = this.observations;
    const { rewards, terminated, sineOf, sine } = this;
    const { max_speed: maxSpeed, dt, g, m, l } = this.params;
    // np.clip(float32 u, -max_torque, max_torque): the Python-float bounds act as float32.
    const maxTorque = Math.fround(this.params.max_torque);
    const gravityGain = (3 * g) / (2 * l);
    // `3.0 / (m * l**2)` is a Python float; multiplying the float32 u casts it to float32.
    const torqueGain = Math.fround(3.0 / (m * (l * l)));
    for (let i = 0, n = this.size; i < n; i++) {
      const theta = thetas[i];
      const thetaDot = thetaDots[i];
      let u = Math.fround(actions[i]);
      if (u > maxTorque) u = maxTorque;
      else if (u < -maxTorque) u = -maxTorque;

      // costs = angle_normalize(th)^2 + 0.1 thdot^2 + 0.001 u^2, the last term in float32.
      const angle = angleNormalize(theta);
      const torqueCost = Math.fround(TORQUE_COST_WEIGHT_F32 * Math.fround(u * u));
      rewards[i] = -(angle * angle + 0.1 * (thetaDot * thetaDot) + torqueCost);

      // newthdot = thdot + (3g/(2l) sin(th) + 3/(m l^2) u) dt, clipped; newth = th + newthdot dt.
      const sinTheta = sineOf[i] === theta ? sine[i] : Math.sin(theta);
      let newThetaDot = thetaDot + (gravityGain * sinTheta + Math.fround(torqueGain * u)) * dt;
      if (newThetaDot > maxSpeed) newThetaDot = maxSpeed;
      else if (newThetaDot < -maxSpeed) newThetaDot = -maxSpeed;
      const newTheta = theta + newThetaDot * dt;

      thetas[i] = newTheta;
      thetaDots[i] = newThetaDot;
      const sinNewTheta = Math.sin(newTheta);
      sineOf[i] = newTheta;
      sine[i] = sinNewTheta;
      cosines[i] = Math.fround(Math.cos(newTheta));
      sines[i] = Math.fround(sinNewTheta);
      observedThetaDots[i] = Math.fround(newThetaDot);
      terminated[i] = 0;
    }
  }
}

export const pendulum: EnvDefinition = defineEnv(
  pendulumSpec,
  rules,
  (size, params) => new PendulumBatch(pendulumSpec, params, size),
);
