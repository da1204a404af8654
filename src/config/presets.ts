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
    summary: 'Little real data and a strong optimiser: the policy climbs in the model, not in the world.',
    config: {
      env: { id: 'Pendulum-v1' },
      iterations: 15,
      data: { initialRandomSteps: 200, realStepsPerIteration: 50 },
      model: { ensembleSize: 3, width: 32, depth: 1, trainStepsPerIteration: 100 },
      optimiser: { kind: 'gradient', stepsPerIteration: 20, learningRate: 3e-3 },
      imagination: { rollouts: 128, horizon: 16 },
      evaluation: { episodes: 4 },
    },
  },
  healthy: {
    title: 'Enough data',
    summary: 'The same agent with plenty of real data: the gap closes.',
    config: {
      env: { id: 'Pendulum-v1' },
      data: { initialRandomSteps: 1_000, realStepsPerIteration: 400 },
      optimiser: { kind: 'gradient', stepsPerIteration: 100 },
    },
  },
} as const satisfies Record<string, Preset>;

export type PresetName = keyof typeof presets;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}
