/**
 * The control panel's table: which config leaf each control edits, in which group, with its
 * label and one-line hint. Ranges and choices are read from the schema (through the URL codec's
 * field table), never restated, so a knob's limits live in src/config/schema.ts alone.
 */
import { urlFields, type UrlField, type UrlFieldPath } from '../../src/config/urlKeys';
import type { ExperimentConfig } from '../../src/config/schema';

export interface Knob {
  readonly path: UrlFieldPath;
  readonly label: string;
  readonly hint: string;
  /** Sliders over wide ranges move on a log scale. */
  readonly scale?: 'linear' | 'log';
  /** A number box instead of a slider (the seed: any whole number is as good as another). */
  readonly numberBox?: boolean;
  /** Names for enum values, when the raw value is not what a person would read. */
  readonly names?: Readonly<Record<string, string>>;
}

export interface KnobGroup {
  readonly title: string;
  readonly knobs: readonly Knob[];
  /** The group also holds the real world's physical parameters. */
  readonly realWorld?: boolean;
}

export const KNOB_GROUPS: readonly KnobGroup[] = [
  {
    title: 'Environment & real world',
    realWorld: true,
    knobs: [
      {
        path: 'env.id',
        label: 'Environment',
        hint: 'The task. Its physics below can differ from the nominal simulator.',
      },
      {
        path: 'seed',
        label: 'Seed',
        hint: 'Same seed, same run: every random draw comes from it.',
        numberBox: true,
      },
      {
        path: 'iterations',
        label: 'Iterations',
        hint: 'Collect → fit → improve → evaluate, this many times.',
        scale: 'log',
      },
    ],
  },
  {
    title: 'Data',
    knobs: [
      {
        path: 'data.initialRandomSteps',
        label: 'Random steps first',
        hint: 'Real transitions of a random policy before learning starts.',
        scale: 'log',
      },
      {
        path: 'data.realStepsPerIteration',
        label: 'Real steps per iteration',
        hint: 'The real-world budget spent each iteration.',
        scale: 'log',
      },
      {
        path: 'data.explorationNoise',
        label: 'Exploration noise',
        hint: 'Noise added to the policy’s actions when collecting.',
      },
      {
        path: 'data.bufferSize',
        label: 'Replay buffer',
        hint: 'How many real transitions the model may remember.',
        scale: 'log',
      },
    ],
  },
  {
    title: 'World model & objective',
    knobs: [
      {
        path: 'objective.kind',
        label: 'Model objective',
        hint: 'What the model is trained to get right.',
        names: {
          mse: 'MSE (max. likelihood)',
          policyAware: 'Policy-aware (adversarial)',
          mnm: 'Mismatched No More',
          stackelberg: 'Stackelberg (maximin)',
        },
      },
      {
        path: 'model.ensembleSize',
        label: 'Ensemble members',
        hint: 'Independent models; their disagreement is the uncertainty.',
      },
      { path: 'model.width', label: 'Model width', hint: 'Units per hidden layer.', scale: 'log' },
      {
        path: 'model.depth',
        label: 'Model depth',
        hint: 'Hidden layers (0: linear in the inputs).',
      },
      { path: 'model.activation', label: 'Activation', hint: 'The hidden layers’ nonlinearity.' },
      {
        path: 'model.trainStepsPerIteration',
        label: 'Fit steps per iteration',
        hint: 'Gradient steps on the model each iteration.',
        scale: 'log',
      },
      {
        path: 'model.learningRate',
        label: 'Model learning rate',
        hint: 'AdamW step size for the model.',
        scale: 'log',
      },
      {
        path: 'model.batchSize',
        label: 'Model batch',
        hint: 'Transitions per fit step.',
        scale: 'log',
      },
      {
        path: 'model.pretrainTransitions',
        label: 'Pre-train on simulator',
        hint: 'Nominal-simulator transitions learned before any real data (sim-to-real).',
        scale: 'log',
      },
      {
        path: 'reward.kind',
        label: 'Reward',
        hint: 'Known: the env’s formula. Learned: a head of the model, which can be exploited.',
      },
      {
        path: 'reward.noiseStd',
        label: 'Reward noise',
        hint: 'Std of noise added to every imagined reward.',
        scale: 'log',
      },
    ],
  },
  {
    title: 'Policy & imagination',
    knobs: [
      {
        path: 'optimiser.kind',
        label: 'Policy optimiser',
        hint: 'How the policy improves inside the model.',
        names: { gradient: 'Gradient through the model', reinforce: 'REINFORCE', cem: 'CEM-MPC' },
      },
      {
        path: 'optimiser.stepsPerIteration',
        label: 'Policy steps per iteration',
        hint: 'Policy updates in imagination each iteration.',
        scale: 'log',
      },
      {
        path: 'optimiser.learningRate',
        label: 'Policy learning rate',
        hint: 'Step size for the policy.',
        scale: 'log',
      },
      {
        path: 'imagination.rollouts',
        label: 'Imagined rollouts',
        hint: 'Rollouts in the model per policy step.',
        scale: 'log',
      },
      {
        path: 'imagination.horizon',
        label: 'Imagination horizon',
        hint: 'Steps per imagined rollout: longer compounds model error.',
        scale: 'log',
      },
      { path: 'optimiser.discount', label: 'Discount γ', hint: 'How much later rewards count.' },
      {
        path: 'risk.kind',
        label: 'Risk',
        hint: 'Mean, or CVaR: optimise the worst α of imagined returns.',
        names: { mean: 'Mean', cvar: 'CVaR (pessimistic)' },
      },
      {
        path: 'evaluation.episodes',
        label: 'Evaluation episodes',
        hint: 'Real episodes per evaluation (fixed start states).',
      },
      {
        path: 'evaluation.episodeLength',
        label: 'Episode length',
        hint: 'Steps per evaluation episode, real and imagined.',
        scale: 'log',
      },
      {
        path: 'backend',
        label: 'Backend',
        hint: 'Where the tensors run; auto times a small workload on each.',
      },
    ],
  },
];

const fieldsByPath: ReadonlyMap<string, UrlField> = new Map(
  urlFields.map((field) => [field.path, field]),
);

export function fieldOf(path: UrlFieldPath): UrlField {
  const field = fieldsByPath.get(path);
  if (field === undefined) throw new Error(`no URL field for ${path}`);
  return field;
}

export function readKnob(config: ExperimentConfig, field: UrlField): string | number {
  const holder = (field.section === null ? config : config[field.section]) as unknown as Readonly<
    Record<string, unknown>
  >;
  return holder[field.name] as string | number;
}

/** A copy of the config with one leaf changed. */
export function writeKnob(
  config: ExperimentConfig,
  field: UrlField,
  value: string | number,
): ExperimentConfig {
  if (field.section === null) return { ...config, [field.name]: value };
  return { ...config, [field.section]: { ...config[field.section], [field.name]: value } };
}

// Slider positions: 0…SLIDER_STEPS, linear or logarithmic (shifted by one when the range starts at 0).
export const SLIDER_STEPS = 1000;

function logOffset(min: number): number {
  return min <= 0 ? 1 : 0;
}

export function toSlider(value: number, min: number, max: number, scale: 'linear' | 'log'): number {
  if (max === min) return 0;
  if (scale === 'linear') return Math.round(((value - min) / (max - min)) * SLIDER_STEPS);
  const offset = logOffset(min);
  const t =
    (Math.log(value + offset) - Math.log(min + offset)) /
    (Math.log(max + offset) - Math.log(min + offset));
  return Math.round(t * SLIDER_STEPS);
}

export function fromSlider(
  position: number,
  field: UrlField & { kind: 'int' | 'real' },
  scale: 'linear' | 'log',
): number {
  const { min, max } = field;
  const t = position / SLIDER_STEPS;
  let value: number;
  if (scale === 'linear') value = min + t * (max - min);
  else {
    const offset = logOffset(min);
    value =
      Math.exp(Math.log(min + offset) + t * (Math.log(max + offset) - Math.log(min + offset))) -
      offset;
  }
  return clamp(field.kind === 'int' ? Math.round(value) : niceNumber(value), min, max);
}

/** Two significant digits: sliders over decades land on readable values (0.0012, 35, 1200). */
function niceNumber(value: number): number {
  if (value === 0) return 0;
  return Number(value.toPrecision(2));
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

export function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  // Past 1e15 a whole number's digits are mostly float noise (1e308 would be 309 of them).
  if (Number.isInteger(value) && magnitude < 1e15) return value.toLocaleString('en-US');
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return value.toExponential(1);
  return String(Number(value.toPrecision(3)));
}
