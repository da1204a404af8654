/**
 * Built-in hand-written controllers, one per env: something worth watching before any learning.
 *
 * Each reads the observation an agent would see (Gymnasium's order) and returns an env action.
 * They are plain arithmetic on purpose: one action per animation frame is cheaper in JavaScript
 * than through any tensor library, and the app does no tensor maths.
 */
import type { EnvId } from '../src/envs/types';

export type Controller = (observation: readonly number[]) => number;

/**
 * Pendulum-v1, observation [cos θ, sin θ, θ̇], θ = 0 upright, torque in [-2, 2].
 * With a = 3g/2l and b = 3/ml², θ̈ = a·sin θ + b·u, so E = ½θ̇² + a·cos θ changes as dE/dt = b·u·θ̇:
 * pushing along θ̇ pumps energy in until E reaches the upright value a, and near the top a PD
 * rule holds the pendulum there.
 */
const PENDULUM_GRAVITY_TERM = (3 * 10) / (2 * 1); // a for Gymnasium's g = 10, l = 1
function pendulumSwingUp([cosTheta, sinTheta, thetaDot]: readonly number[]): number {
  const theta = Math.atan2(sinTheta, cosTheta);
  if (cosTheta > 0.85) return clamp(-(10 * theta + 2 * thetaDot), -2, 2);
  const energy = 0.5 * thetaDot * thetaDot + PENDULUM_GRAVITY_TERM * cosTheta;
  const direction = thetaDot >= 0 ? 1 : -1;
  return energy < PENDULUM_GRAVITY_TERM ? 2 * direction : -0.5 * direction;
}

/**
 * MountainCar, observation [position, velocity]: push the way the car already moves. Every push
 * along the velocity adds energy, so each swing climbs higher until the car crests the right hill.
 */
function mountainCarContinuousPump([, velocity]: readonly number[]): number {
  return velocity >= 0 ? 1 : -1;
}
function mountainCarDiscretePump([, velocity]: readonly number[]): number {
  return velocity >= 0 ? 2 : 0;
}

/**
 * CartPole-v1, observation [x, ẋ, θ, θ̇], θ > 0 leaning right: push under the pole (a PD rule on
 * the angle), with small position and velocity terms so the cart drifts back toward the centre.
 */
function cartPolePd([x, xDot, theta, thetaDot]: readonly number[]): number {
  const push = 10 * theta + 2 * thetaDot + 0.1 * x + 0.4 * xDot;
  return push > 0 ? 1 : 0;
}

/**
 * Acrobot-v1, observation [cos θ1, sin θ1, cos θ2, sin θ2, θ̇1, θ̇2], actions 0, 1, 2 = torque
 * −1, 0, +1 on the elbow: torque along the elbow's own swing (the sign of θ̇2) pumps energy in.
 */
function acrobotPump(observation: readonly number[]): number {
  const theta2Dot = observation[5];
  return theta2Dot >= 0 ? 2 : 0;
}

const CONTROLLERS: Readonly<Record<EnvId, Controller>> = {
  'Pendulum-v1': pendulumSwingUp,
  'MountainCarContinuous-v0': mountainCarContinuousPump,
  'CartPole-v1': cartPolePd,
  'Acrobot-v1': acrobotPump,
  'MountainCar-v0': mountainCarDiscretePump,
};

export function controllerFor(envId: EnvId): Controller {
  return CONTROLLERS[envId];
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
