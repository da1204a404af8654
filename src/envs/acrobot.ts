/**
 * Acrobot-v1 (gymnasium/envs/classic_control/acrobot.py), batched: the book dynamics, one RK4 step
 * of length dt, then wrap/bound. Gymnasium draws the reset state as float32; the first step
 * appends the (float64) torque, so from then on everything is float64.
 */
import type { Rng } from '../rng';
import { BatchedEnvBase, type StateDtype } from './batchedEnvBase';
import { defineEnv } from './defineEnv';
import { bound, wrap } from './numerics';
import type { ParamRules } from './params';
import type { EnvDefinition, EnvSpec, PhysicalParams } from './types';

const f32 = Math.fround;
const PI = Math.PI;
const HALF_PI = Math.PI / 2.0;
/** AVAIL_TORQUE, indexed by the action. */
const TORQUES = [-1.0, 0.0, 1.0] as const;

const rules: ParamRules = {
  envId: 'Acrobot-v1',
  defaults: {
    dt: 0.2,
    LINK_LENGTH_1: 1.0,
    // Only drawn by Gymnasium; the dynamics use the centre of mass LINK_COM_POS_2 instead.
    LINK_LENGTH_2: 1.0,
    LINK_MASS_1: 1.0,
    LINK_MASS_2: 1.0,
    LINK_COM_POS_1: 0.5,
    LINK_COM_POS_2: 0.5,
    LINK_MOI: 1.0,
    MAX_VEL_1: 4 * PI,
    MAX_VEL_2: 9 * PI,
    // A local `g = 9.8` inside Gymnasium's _dsdt; a parameter here so gravity can be perturbed.
    g: 9.8,
  },
  positive: [
    'dt',
    'LINK_LENGTH_1',
    'LINK_LENGTH_2',
    'LINK_MASS_1',
    'LINK_MASS_2',
    'LINK_COM_POS_1',
    'LINK_COM_POS_2',
    'LINK_MOI',
    'MAX_VEL_1',
    'MAX_VEL_2',
  ],
};

export const acrobotSpec: EnvSpec = {
  id: 'Acrobot-v1',
  stateNames: ['theta1', 'theta2', 'dtheta1', 'dtheta2'],
  observationNames: ['cos_theta1', 'sin_theta1', 'cos_theta2', 'sin_theta2', 'dtheta1', 'dtheta2'],
  observationLow: [-1, -1, -1, -1, f32(-4 * PI), f32(-9 * PI)],
  observationHigh: [1, 1, 1, 1, f32(4 * PI), f32(9 * PI)],
  actionSpace: { kind: 'discrete', n: 3 },
  maxEpisodeSteps: 500,
  rewardThreshold: -100,
  defaultParams: rules.defaults,
  paramRanges: {
    g: [4.9, 19.6],
    dt: [0.1, 0.4],
    LINK_LENGTH_1: [0.5, 2],
    LINK_MASS_1: [0.5, 2],
    LINK_MASS_2: [0.5, 2],
    LINK_COM_POS_1: [0.25, 0.75],
    LINK_COM_POS_2: [0.25, 0.75],
    LINK_MOI: [0.5, 2],
  },
  projection: {
    xLabel: 'θ1',
    yLabel: 'θ2',
    xRange: [-PI, PI],
    yRange: [-PI, PI],
    project: (observation) => [
      Math.atan2(observation[1], observation[0]),
      Math.atan2(observation[3], observation[2]),
    ],
  },
};

/**
 * The constant sub-expressions of `_dsdt`, each computed in Gymnasium's operation order so that
 * hoisting them out of the loop changes no bit.
 */
interface DynamicsConstants {
  readonly d1Base: number; // m1 * lc1**2
  readonly d1InnerBase: number; // l1**2 + lc2**2
  readonly d1CosGain: number; // 2 * l1 * lc2
  readonly m2: number;
  readonly moi: number;
  readonly lc2Squared: number; // lc2**2
  readonly l1Lc2: number; // l1 * lc2
  readonly phi2Gain: number; // m2 * lc2 * g
  readonly phi1VelocitySquaredGain: number; // -m2 * l1 * lc2
  readonly phi1CrossGain: number; // 2 * m2 * l1 * lc2
  readonly phi1GravityGain: number; // (m1 * lc1 + m2 * l1) * g
  readonly centrifugalGain: number; // m2 * l1 * lc2
  readonly ddtheta2DenominatorBase: number; // m2 * lc2**2 + I2
}

function dynamicsConstants(p: PhysicalParams): DynamicsConstants {
  const m1 = p.LINK_MASS_1;
  const m2 = p.LINK_MASS_2;
  const l1 = p.LINK_LENGTH_1;
  const lc1 = p.LINK_COM_POS_1;
  const lc2 = p.LINK_COM_POS_2;
  const moi = p.LINK_MOI;
  const g = p.g;
  return {
    d1Base: m1 * (lc1 * lc1),
    d1InnerBase: l1 * l1 + lc2 * lc2,
    d1CosGain: 2 * l1 * lc2,
    m2,
    moi,
    lc2Squared: lc2 * lc2,
    l1Lc2: l1 * lc2,
    phi2Gain: m2 * lc2 * g,
    phi1VelocitySquaredGain: -m2 * l1 * lc2,
    phi1CrossGain: 2 * m2 * l1 * lc2,
    phi1GravityGain: (m1 * lc1 + m2 * l1) * g,
    centrifugalGain: m2 * l1 * lc2,
    ddtheta2DenominatorBase: m2 * (lc2 * lc2) + moi,
  };
}

/**
 * Gymnasium's `_dsdt` with the "book" equations. Writes (ddtheta1, ddtheta2) into out[0..1]; the
 * derivatives of theta1, theta2 are dtheta1, dtheta2 themselves.
 */
function angularAccelerations(
  c: DynamicsConstants,
  theta1: number,
  theta2: number,
  dtheta1: number,
  dtheta2: number,
  torque: number,
  out: Float64Array,
): void {
  const cosTheta2 = Math.cos(theta2);
  const sinTheta2 = Math.sin(theta2);
  const d1 = c.d1Base + c.m2 * (c.d1InnerBase + c.d1CosGain * cosTheta2) + c.moi + c.moi;
  const d2 = c.m2 * (c.lc2Squared + c.l1Lc2 * cosTheta2) + c.moi;
  const phi2 = c.phi2Gain * Math.cos(theta1 + theta2 - HALF_PI);
  const phi1 =
    c.phi1VelocitySquaredGain * (dtheta2 * dtheta2) * sinTheta2 -
    c.phi1CrossGain * dtheta2 * dtheta1 * sinTheta2 +
    c.phi1GravityGain * Math.cos(theta1 - HALF_PI) +
    phi2;
  const ddtheta2 =
    (torque + (d2 / d1) * phi1 - c.centrifugalGain * (dtheta1 * dtheta1) * sinTheta2 - phi2) /
    (c.ddtheta2DenominatorBase - (d2 * d2) / d1);
  out[0] = -(d2 * ddtheta2 + phi1) / d1;
  out[1] = ddtheta2;
}

class AcrobotBatch extends BatchedEnvBase {
  /** 1 while env i holds its float32 reset state, 0 once a step has made it float64. */
  private readonly float32State = new Uint8Array(this.size);
  private readonly constants = dynamicsConstants(this.params);
  private readonly accelerations = new Float64Array(2);

  override stateDtypeAt(index: number): StateDtype {
    return this.float32State[index] === 1 ? 'float32' : 'float64';
  }

  protected override onStateSet(index: number, dtype: StateDtype): void {
    this.float32State[index] = dtype === 'float32' ? 1 : 0;
  }

  protected sampleInitialState(index: number, rng: Rng): void {
    for (const component of this.states) component[index] = f32(rng.uniform(-0.1, 0.1));
    this.float32State[index] = 1;
  }

  protected writeObservation(index: number): void {
    const [theta1, theta2, dtheta1, dtheta2] = this.states;
    this.observations[0][index] = f32(Math.cos(theta1[index]));
    this.observations[1][index] = f32(Math.sin(theta1[index]));
    this.observations[2][index] = f32(Math.cos(theta2[index]));
    this.observations[3][index] = f32(Math.sin(theta2[index]));
    this.observations[4][index] = f32(dtheta1[index]);
    this.observations[5][index] = f32(dtheta2[index]);
  }

  protected advance(actions: ArrayLike<number>): void {
    const [theta1s, theta2s, dtheta1s, dtheta2s] = this.states;
    const [cos1s, sin1s, cos2s, sin2s, observedDtheta1s, observedDtheta2s] = this.observations;
    const { rewards, terminated, float32State, constants, accelerations } = this;
    const dt = this.params.dt;
    const halfDt = dt / 2.0;
    const sixthDt = dt / 6.0;
    const maxVel1 = this.params.MAX_VEL_1;
    const maxVel2 = this.params.MAX_VEL_2;

    for (let i = 0, n = this.size; i < n; i++) {
      const torque = TORQUES[actions[i]];
      const y1 = theta1s[i];
      const y2 = theta2s[i];
      const y3 = dtheta1s[i];
      const y4 = dtheta2s[i];

      // rk4: k1..k4 at y0, y0 + dt/2 k1, y0 + dt/2 k2, y0 + dt k3 (the torque's derivative is 0).
      angularAccelerations(constants, y1, y2, y3, y4, torque, accelerations);
      const k1a = y3;
      const k1b = y4;
      const k1c = accelerations[0];
      const k1d = accelerations[1];
      angularAccelerations(
        constants,
        y1 + halfDt * k1a,
        y2 + halfDt * k1b,
        y3 + halfDt * k1c,
        y4 + halfDt * k1d,
        torque,
        accelerations,
      );
      const k2a = y3 + halfDt * k1c;
      const k2b = y4 + halfDt * k1d;
      const k2c = accelerations[0];
      const k2d = accelerations[1];
      angularAccelerations(
        constants,
        y1 + halfDt * k2a,
        y2 + halfDt * k2b,
        y3 + halfDt * k2c,
        y4 + halfDt * k2d,
        torque,
        accelerations,
      );
      const k3a = y3 + halfDt * k2c;
      const k3b = y4 + halfDt * k2d;
      const k3c = accelerations[0];
      const k3d = accelerations[1];
      angularAccelerations(
        constants,
        y1 + dt * k3a,
        y2 + dt * k3b,
        y3 + dt * k3c,
        y4 + dt * k3d,
        torque,
        accelerations,
      );
      const k4a = y3 + dt * k3c;
      const k4b = y4 + dt * k3d;
      const k4c = accelerations[0];
      const k4d = accelerations[1];

      // y0 + dt/6 (k1 + 2 k2 + 2 k3 + k4), then wrap the angles and bound the velocities.
      const theta1 = wrap(y1 + sixthDt * (k1a + 2 * k2a + 2 * k3a + k4a), -PI, PI);
      const theta2 = wrap(y2 + sixthDt * (k1b + 2 * k2b + 2 * k3b + k4b), -PI, PI);
      const dtheta1 = bound(y3 + sixthDt * (k1c + 2 * k2c + 2 * k3c + k4c), -maxVel1, maxVel1);
      const dtheta2 = bound(y4 + sixthDt * (k1d + 2 * k2d + 2 * k3d + k4d), -maxVel2, maxVel2);

      theta1s[i] = theta1;
      theta2s[i] = theta2;
      dtheta1s[i] = dtheta1;
      dtheta2s[i] = dtheta2;
      float32State[i] = 0;

      const cosTheta1 = Math.cos(theta1);
      cos1s[i] = f32(cosTheta1);
      sin1s[i] = f32(Math.sin(theta1));
      cos2s[i] = f32(Math.cos(theta2));
      sin2s[i] = f32(Math.sin(theta2));
      observedDtheta1s[i] = f32(dtheta1);
      observedDtheta2s[i] = f32(dtheta2);

      // The free end is above the bar: -cos(theta1) - cos(theta2 + theta1) > 1.
      const done = -cosTheta1 - Math.cos(theta2 + theta1) > 1.0;
      terminated[i] = done ? 1 : 0;
      rewards[i] = done ? 0.0 : -1.0;
    }
  }
}

export const acrobot: EnvDefinition = defineEnv(
  acrobotSpec,
  rules,
  (size, params) => new AcrobotBatch(acrobotSpec, params, size),
);
