/**
 * Named starting points. A preset is a partial config: what it does not say is the default.
 * Their settings are tuned by running the lab (docs/RESULTS.md says what was tried and why).
 */
import type { ExperimentConfigInput } from './schema';

export interface Preset {
  readonly title: string;
  /** One line for the picker: what the preset shows. */
  readonly summary: string;
  readonly config: ExperimentConfigInput;
}

export const presets = {
  default: {
    title: 'Default',
    summary: 'Pendulum, an MSE ensemble and a policy trained by gradient through the model.',
    config: {},
  },
  exploit: {
    title: 'The exploit',
    summary:
      'Little real data, a learned reward and gradients through the model: the policy climbs in the model, not in the world.',
    config: {
      env: { id: 'Pendulum-v1' },
      iterations: 4,
      data: { initialRandomSteps: 100, realStepsPerIteration: 20 },
      model: { ensembleSize: 3, width: 64, depth: 2, trainStepsPerIteration: 100 },
      reward: { kind: 'learned' },
      optimiser: { kind: 'gradient', stepsPerIteration: 30, learningRate: 0.01 },
      imagination: { rollouts: 64, horizon: 32 },
      evaluation: { episodes: 3 },
    },
  },
  healthy: {
    title: 'Enough data',
    summary: 'The same optimiser with twenty times the random data, five times the real steps and the known reward: the gap closes.',
    config: {
      env: { id: 'Pendulum-v1' },
      iterations: 6,
      data: { initialRandomSteps: 2_000, realStepsPerIteration: 100 },
      model: { ensembleSize: 3, width: 64, depth: 2, trainStepsPerIteration: 200 },
      reward: { kind: 'known' },
      optimiser: { kind: 'gradient', stepsPerIteration: 30, learningRate: 0.01 },
      imagination: { rollouts: 64, horizon: 32 },
      evaluation: { episodes: 3 },
    },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof presets;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}
