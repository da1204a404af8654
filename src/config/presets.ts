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
      data: { initialRandomSteps: 100, realStepsPerIteration: 50 },
      model: { ensembleSize: 5, width: 64, depth: 1 },
      optimiser: { kind: 'gradient', stepsPerIteration: 100 },
      imagination: { rollouts: 256, horizon: 32 },
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
