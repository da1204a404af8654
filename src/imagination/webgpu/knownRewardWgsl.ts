/**
 * The envs' known reward and termination (models/knownRewards.ts, Gymnasium's step()) as WGSL
 * for the fused programs, with the reward's gradient written out as knownRewards.ts writes it.
 * The snippets run on one thread of a row's workgroup and read the workgroup arrays `obs` (o_t),
 * `nextObs` (o_{t+1}, forward only) and the env action `a0` (box); the forward one sets `raw` and
 * `done`, the backward one adds c·∂r/∂o into `gx[0..d)` and c·∂r/∂a into `ga` (c = ∂J/∂r_t).
 */
import type { EnvId, PhysicalParams } from '../../envs/types';

export interface RewardWgsl {
  readonly forward: string;
  readonly backward: string;
}

/** WGSL's f32 literal of a JS number. */
export function f32(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`fused WGSL: ${value} is not a finite constant`);
  const text = String(Math.fround(value));
  return /[.e]/.test(text) ? text : `${text}.0`;
}

export function knownRewardWgsl(env: EnvId, params: PhysicalParams): RewardWgsl {
  const param = (name: string, fallback: number) => f32(params[name] ?? fallback);
  const goal = (position: number, velocity: number) =>
    `select(0.0, 1.0, nextObs[0] >= ${f32(position)} && nextObs[1] >= ${f32(velocity)})`;
  switch (env) {
    case 'Pendulum-v1': {
      const max = param('max_torque', 2);
      return {
        // costs = angle_normalize(th)² + 0.1·thdot² + 0.001·clip(u)², on the state before the step
        forward: `let th = atan2(obs[1], obs[0]);
          let u = clamp(a0, -${max}, ${max});
          raw = -(th * th + 0.1 * obs[2] * obs[2] + 0.001 * u * u);
          done = 0.0;`,
        // ∂r/∂cos = 2θ·sin/(cos² + sin²), ∂r/∂sin = −2θ·cos/(cos² + sin²), ∂r/∂θ̇ = −0.2·θ̇,
        // ∂r/∂a = −0.002·a inside the clip, else 0
        backward: `let th = atan2(obs[1], obs[0]);
          let scale = c * 2.0 * th / (obs[0] * obs[0] + obs[1] * obs[1]);
          gx[0] += scale * obs[1];
          gx[1] -= scale * obs[0];
          gx[2] += c * -0.2 * obs[2];
          ga = select(0.0, c * -0.002 * a0, a0 >= -${max} && a0 <= ${max});`,
      };
    }
    case 'MountainCarContinuous-v0':
      return {
        // reward = 100·terminated − 0.1·action² (the action as given)
        forward: `done = ${goal(params.goal_position ?? 0.45, params.goal_velocity ?? 0)};
          raw = 100.0 * done - 0.1 * a0 * a0;`,
        backward: 'ga = c * -0.2 * a0;',
      };
    case 'MountainCar-v0':
      return {
        forward: `done = ${goal(params.goal_position ?? 0.5, params.goal_velocity ?? 0)};
          raw = -1.0;`,
        backward: '',
      };
    case 'CartPole-v1':
      return {
        forward: `done = select(0.0, 1.0, abs(nextObs[0]) > ${param('x_threshold', 2.4)} ||
            abs(nextObs[2]) > ${param('theta_threshold_radians', (12 * 2 * Math.PI) / 360)});
          raw = 1.0;`,
        backward: '',
      };
    case 'Acrobot-v1':
      return {
        // terminated = −cos θ1 − cos(θ1 + θ2) > 1; reward = −1 while not terminated
        forward: `let cosSum = nextObs[0] * nextObs[2] - nextObs[1] * nextObs[3];
          done = select(0.0, 1.0, -nextObs[0] - cosSum > 1.0);
          raw = done - 1.0;`,
        backward: '',
      };
  }
}

/** The termination alone (a learned reward still ends episodes as the env does). */
export function terminationWgsl(env: EnvId, params: PhysicalParams): string {
  return `{ var raw: f32 = 0.0; ${knownRewardWgsl(env, params).forward} }`;
}
