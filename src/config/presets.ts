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

/** The budget every objective of docs/RESULTS.md's tables gets: ten iterations of 100 real steps. */
const OBJECTIVES_BUDGET = {
  iterations: 10,
  data: { initialRandomSteps: 400, realStepsPerIteration: 100 },
  optimiser: { kind: 'gradient', stepsPerIteration: 30, learningRate: 0.01 },
  imagination: { rollouts: 64, horizon: 32 },
  evaluation: { episodes: 3, episodeLength: 200 },
} as const;

/**
 * Where policy-aware learning pays most clearly (docs/RESULTS.md, found on tuning seeds 200–209):
 * MountainCarContinuous, whose flag MSE's policy never finds, while the Error-MDP adversary's
 * data reach the hills where the critic's value is wrong and the model learns the swing that
 * leads there. The adversary's preset (lesson 3) and the compare family run it.
 */
const MOUNTAIN_CAR_REGIME = {
  ...OBJECTIVES_BUDGET,
  env: { id: 'MountainCarContinuous-v0' },
  model: { ensembleSize: 3, width: 64, depth: 2, trainStepsPerIteration: 200 },
} as const;

/**
 * Pendulum with a model of one hidden layer of 32 units, too small to be right everywhere, where
 * policy-aware learning paid on tuning seeds and less on seeds 0–9 (docs/RESULTS.md). Lessons 4
 * and 5 (MnM, Stackelberg) watch the gap, which MountainCar's idle MSE policy leaves at 0.
 */
const SMALL_MODEL_PENDULUM = {
  ...OBJECTIVES_BUDGET,
  env: { id: 'Pendulum-v1' },
  model: { ensembleSize: 3, width: 32, depth: 1, trainStepsPerIteration: 200 },
} as const;

export const presets = {
  default: {
    title: 'Default',
    summary:
      'Pendulum, an MSE ensemble of three small members and a policy trained by gradient through the model: an iteration in about a second.',
    config: {},
  },
  heavy: {
    title: 'Large ensemble',
    summary:
      'Five members of 2×200 units imagining 256 rollouts and 50 policy steps an iteration: the scale of the papers’ models, tens of seconds an iteration without a GPU.',
    config: {
      data: { realStepsPerIteration: 200 },
      model: { ensembleSize: 5, width: 200, depth: 2, trainStepsPerIteration: 200 },
      imagination: { rollouts: 256, horizon: 32 },
      optimiser: { stepsPerIteration: 50, learningRate: 1e-3 },
      evaluation: { episodes: 8 },
    },
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
    summary:
      'The same optimiser with twenty times the random data, five times the real steps and the known reward: the gap closes.',
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
  adversary: {
    title: 'The adversary finds the holes',
    summary:
      'Policy-aware learning on MountainCar: a second policy seeks where the model errs in value (the Error-MDP), collects half the real data there, and the model leans toward where both players go.',
    config: {
      ...MOUNTAIN_CAR_REGIME,
      objective: {
        kind: 'policyAware',
        adversarySignal: 'critic',
        adversaryShare: 0.5,
        strength: 1,
      },
    },
  },
  mnm: {
    title: 'Fooling the critic (MnM)',
    summary:
      'A classifier tells real transitions from imagined ones; the model learns to look real and the policy is paid to stay where it does.',
    config: {
      ...SMALL_MODEL_PENDULUM,
      objective: { kind: 'mnm', strength: 0.01 },
    },
  },
  stackelberg: {
    title: 'Pessimism (Stackelberg)',
    summary:
      'Within a small likelihood ball around the fitted model, the model turns against the current policy; the policy learns in that pessimistic world.',
    config: {
      ...SMALL_MODEL_PENDULUM,
      objective: { kind: 'stackelberg', ballRadius: 0.1 },
    },
  },
  ...compareFamily(),
} as const satisfies Record<string, Preset>;

/**
 * The `compare` family: one world and budget, one preset per objective, exactly the configs of
 * docs/RESULTS.md's MountainCar table (grids/objectives-mcc.json); the app's compare mode
 * overlays them.
 */
function compareFamily() {
  const base = MOUNTAIN_CAR_REGIME;
  const entry = (
    title: string,
    summary: string,
    objective: ExperimentConfigInput['objective'],
  ) => ({
    title,
    summary,
    config: { ...base, objective },
  });
  return {
    'compare-mse': entry(
      'Compare: MSE',
      'The baseline of the objectives table: maximum likelihood, the policy collects all data.',
      { kind: 'mse' },
    ),
    'compare-policyAware': entry(
      'Compare: policy-aware',
      'The same budget with the critic-error adversary and the occupancy-weighted model step.',
      {
        kind: 'policyAware',
        adversarySignal: 'critic',
        strength: 1,
        adversaryShare: 0.5,
      },
    ),
    'compare-disagreement': entry(
      'Compare: disagreement adversary',
      'The ablation: an adversary seeking ensemble disagreement, no weighting — exploration, not policy-awareness.',
      {
        kind: 'policyAware',
        adversarySignal: 'disagreement',
        strength: 0,
        adversaryShare: 0.5,
      },
    ),
    'compare-mnm': entry(
      'Compare: MnM',
      'The same budget with the real-vs-model classifier in the model loss and the policy reward.',
      { kind: 'mnm', strength: 0.01 },
    ),
    'compare-stackelberg': entry(
      'Compare: Stackelberg',
      'The same budget with the model adapted against the policy inside a likelihood ball.',
      {
        kind: 'stackelberg',
        ballRadius: 0.1,
      },
    ),
  } as const;
}

export type PresetName = keyof typeof presets;

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(presets, name);
}
