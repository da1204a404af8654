/** Words for people: what each env is about and what its episode endings mean. */
import type { EnvId } from '../src/envs/types';

export interface EnvInfo {
  readonly title: string;
  readonly goal: string;
  /** What `terminated` means in this env; null when it never terminates, only truncates. */
  readonly terminatedMeans: string | null;
  /** What the left and right arrows do here, in the env's own terms. */
  readonly leftLabel: string;
  readonly rightLabel: string;
}

export const ENV_INFO: Readonly<Record<EnvId, EnvInfo>> = {
  'Pendulum-v1': {
    title: 'Pendulum',
    goal: 'Swing the pendulum up and hold it upright with a weak motor.',
    terminatedMeans: null,
    leftLabel: 'Torque left',
    rightLabel: 'Torque right',
  },
  'MountainCarContinuous-v0': {
    title: 'Mountain Car (continuous)',
    goal: 'Rock the underpowered car until it reaches the flag; pushing costs a little.',
    terminatedMeans: 'reached the flag',
    leftLabel: 'Push left',
    rightLabel: 'Push right',
  },
  'CartPole-v1': {
    title: 'Cart-Pole',
    goal: 'Keep the pole upright and the cart on the track, +1 per step.',
    terminatedMeans: 'the pole fell or the cart left the track',
    leftLabel: 'Push left',
    rightLabel: 'Push right',
  },
  'Acrobot-v1': {
    title: 'Acrobot',
    goal: 'Swing the tip of the two-link arm above the line, torquing only the elbow.',
    terminatedMeans: 'the tip crossed the line',
    leftLabel: 'Torque −1',
    rightLabel: 'Torque +1',
  },
  'MountainCar-v0': {
    title: 'Mountain Car',
    goal: 'Rock the underpowered car until it reaches the flag, −1 per step.',
    terminatedMeans: 'reached the flag',
    leftLabel: 'Push left',
    rightLabel: 'Push right',
  },
};
