/**
 * The knob registry: every setting of the experiment config a link, the controls, compare mode
 * and the running loop know about, written once. For each knob:
 *
 *   key      its short name in a link (`lr`), also the name compare variants and the schedule
 *            of live changes use;
 *   path     the config leaf it sets (`model.learningRate`);
 *   label    what the controls and legends call it, and `hint`, one line on what it does;
 *   change   'restart': a change needs a fresh run (it shapes tensors, the data or the judge);
 *            'live': it applies at the next iteration of the run going on;
 *   shared   every compared config has the base's value (a variant cannot change it);
 *   scale, numberBox, names: how its value is edited and read (a log slider, a number box,
 *            names for an enum's values).
 *
 * Its range (min, max, whole or real) or its choices are not written here: they are read from
 * the zod schema (schema.ts), which validates every config (links, files, worker messages).
 * Why the registry reads the schema rather than the schema being built from the registry: the
 * schema is the config's shape, with defaults, nesting and parts that are not knobs (the version,
 * the real world's physical params), and its type is inferred from it; built from a flat table it
 * would become mapped types that no one could read, while reading a range out of a zod node takes
 * ten lines (`describe` below) and fails at load if a knob has no finite range.
 *
 * The order is the order a link prints its keys in (the controls lay knobs out by group, in
 * app/playground/knobs.ts).
 */
import { z } from 'zod';
import { experimentConfigSchema, type ExperimentConfig } from './schema';

export type KnobChangeKind = 'restart' | 'live';

interface KnobSpec {
  readonly key: string;
  readonly path: KnobPath;
  readonly label: string;
  readonly hint: string;
  readonly change: KnobChangeKind;
  readonly shared?: boolean;
  /** Sliders over wide ranges move on a log scale. */
  readonly scale?: 'linear' | 'log';
  /** A number box instead of a slider (the seed: any whole number is as good as another). */
  readonly numberBox?: boolean;
  /** Names for enum values, when the raw value is not what a person would read. */
  readonly names?: Readonly<Record<string, string>>;
}

/** The config's sections (objects). They double as the UI's control groups a teacher can hide. */
export type ControlGroup = {
  [K in keyof ExperimentConfig]: ExperimentConfig[K] extends object ? K : never;
}[keyof ExperimentConfig];

/** Every leaf of the config a knob can name: `seed`, `model.width`, ... */
type LeafPath = {
  [K in keyof ExperimentConfig & string]: ExperimentConfig[K] extends object
    ? `${K}.${Exclude<keyof ExperimentConfig[K] & string, 'realParams'>}`
    : K;
}[keyof ExperimentConfig & string];

/** `version` is the link's `v` and `env.realParams` its `real.<param>` keys: neither is a knob. */
export type KnobPath = Exclude<LeafPath, 'version'>;

export const KNOB_SPECS = [
  {
    key: 'env',
    path: 'env.id',
    label: 'Environment',
    hint: 'The task. Its physics below can differ from the nominal simulator.',
    change: 'restart',
  },
  {
    key: 'obj',
    path: 'objective.kind',
    label: 'Model objective',
    hint: 'What the model is trained to get right.',
    change: 'restart',
    names: {
      mse: 'MSE (max. likelihood)',
      policyAware: 'Policy-aware (adversarial)',
      mnm: 'Mismatched No More',
      stackelberg: 'Stackelberg (maximin)',
    },
  },
  {
    key: 'seed',
    path: 'seed',
    label: 'Seed',
    hint: 'Same seed, same run: every random draw comes from it.',
    change: 'restart',
    numberBox: true,
  },
  {
    key: 'it',
    path: 'iterations',
    label: 'Iterations',
    hint: 'Collect → fit → improve → evaluate, this many times.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'be',
    path: 'backend',
    label: 'Backend',
    hint: 'Where the tensors run; auto times a small workload on each.',
    change: 'restart',
    // One tensor backend runs the whole comparison: a variant asking for another could not have it.
    shared: true,
  },
  {
    key: 'init',
    path: 'data.initialRandomSteps',
    label: 'Random steps first',
    hint: 'Real transitions of a random policy before learning starts.',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'steps',
    path: 'data.realStepsPerIteration',
    label: 'Real steps per iteration',
    hint: 'The real-world budget spent each iteration.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'noise',
    path: 'data.explorationNoise',
    label: 'Exploration noise',
    hint: 'Noise added to the policy’s actions when collecting.',
    change: 'live',
  },
  {
    key: 'buf',
    path: 'data.bufferSize',
    label: 'Replay buffer',
    hint: 'How many real transitions the model may remember.',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'hold',
    path: 'data.holdoutFraction',
    label: 'Held-out share',
    hint: 'Share of real transitions the model never trains on, to measure its holdout loss.',
    change: 'restart',
  },
  {
    key: 'ens',
    path: 'model.ensembleSize',
    label: 'Ensemble members',
    hint: 'Independent models; their disagreement is the uncertainty.',
    change: 'restart',
  },
  {
    key: 'width',
    path: 'model.width',
    label: 'Model width',
    hint: 'Units per hidden layer.',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'depth',
    path: 'model.depth',
    label: 'Model depth',
    hint: 'Hidden layers (0: linear in the inputs).',
    change: 'restart',
  },
  {
    key: 'act',
    path: 'model.activation',
    label: 'Activation',
    hint: 'The hidden layers’ nonlinearity.',
    change: 'restart',
  },
  {
    key: 'lik',
    path: 'model.likelihood',
    label: 'Likelihood',
    hint: 'MSE predicts a point; Gaussian a mean and a variance per output.',
    change: 'restart',
    names: { mse: 'MSE', gaussian: 'Gaussian' },
  },
  {
    key: 'lr',
    path: 'model.learningRate',
    label: 'Model learning rate',
    hint: 'AdamW step size for the model.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'wd',
    path: 'model.weightDecay',
    label: 'Model weight decay',
    hint: 'AdamW’s pull of the model’s weights toward zero.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'fit',
    path: 'model.trainStepsPerIteration',
    label: 'Fit steps per iteration',
    hint: 'Gradient steps on the model each iteration.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'mb',
    path: 'model.batchSize',
    label: 'Model batch',
    hint: 'Transitions per fit step.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'pre',
    path: 'model.pretrainTransitions',
    label: 'Pre-train on simulator',
    hint: 'Nominal-simulator transitions learned before any real data (sim-to-real).',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'rew',
    path: 'reward.kind',
    label: 'Reward',
    hint: 'Known: the env’s formula. Learned: a head of the model, which can be exploited.',
    change: 'restart',
  },
  {
    key: 'rnoise',
    path: 'reward.noiseStd',
    label: 'Reward noise',
    hint: 'Std of noise added to every imagined reward (REINFORCE only).',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'B',
    path: 'imagination.rollouts',
    label: 'Imagined rollouts',
    hint: 'Rollouts in the model per policy step.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'H',
    path: 'imagination.horizon',
    label: 'Imagination horizon',
    hint: 'Steps per imagined rollout: longer compounds model error.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'opt',
    path: 'optimiser.kind',
    label: 'Policy optimiser',
    hint: 'How the policy improves inside the model.',
    change: 'restart',
    names: { gradient: 'Gradient through the model', reinforce: 'REINFORCE', cem: 'CEM-MPC' },
  },
  {
    key: 'plr',
    path: 'optimiser.learningRate',
    label: 'Policy learning rate',
    hint: 'Step size for the policy (a new rate starts fresh Adam moments).',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'psteps',
    path: 'optimiser.stepsPerIteration',
    label: 'Policy steps per iteration',
    hint: 'Policy updates in imagination each iteration.',
    change: 'live',
    scale: 'log',
  },
  {
    key: 'pw',
    path: 'optimiser.policyWidth',
    label: 'Policy width',
    hint: 'Units per hidden layer of the policy (and the adversary).',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'pd',
    path: 'optimiser.policyDepth',
    label: 'Policy depth',
    hint: 'Hidden layers of the policy.',
    change: 'restart',
  },
  {
    key: 'gamma',
    path: 'optimiser.discount',
    label: 'Discount γ',
    hint: 'How much later rewards count.',
    change: 'live',
  },
  {
    key: 'lam',
    path: 'optimiser.lambda',
    label: 'TD λ',
    hint: 'The critic’s TD(λ) on imagined rollouts: 0 bootstraps at once, 1 waits for the return.',
    change: 'live',
  },
  {
    key: 'pop',
    path: 'optimiser.cemPopulation',
    label: 'CEM population',
    hint: 'Action sequences CEM-MPC samples per round.',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'elite',
    path: 'optimiser.cemElites',
    label: 'CEM elites',
    hint: 'The best sequences each round refits to (at most the population).',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'cemit',
    path: 'optimiser.cemIterations',
    label: 'CEM rounds',
    hint: 'Refits of the sampling distribution per planning step.',
    change: 'restart',
  },
  {
    key: 'cemh',
    path: 'optimiser.cemHorizon',
    label: 'CEM horizon',
    hint: 'Steps each planned sequence looks ahead in the model.',
    change: 'restart',
    scale: 'log',
  },
  {
    key: 'smooth',
    path: 'optimiser.cemSmoothing',
    label: 'CEM smoothing',
    hint: 'How much of the last round’s distribution each refit keeps.',
    change: 'restart',
  },
  {
    key: 'risk',
    path: 'risk.kind',
    label: 'Risk',
    hint: 'Mean, or CVaR: optimise the worst α of imagined returns (gradient optimiser).',
    change: 'live',
    names: { mean: 'Mean', cvar: 'CVaR (pessimistic)' },
  },
  {
    key: 'alpha',
    path: 'risk.alpha',
    label: 'CVaR α',
    hint: 'With CVaR: the worst share of imagined returns the policy optimises.',
    change: 'live',
  },
  {
    key: 'strength',
    path: 'objective.strength',
    label: 'Objective strength',
    hint: 'Weight of the policy-aware term: occupancy weighting, classifier loss or maximin step.',
    change: 'live',
  },
  {
    key: 'advshare',
    path: 'objective.adversaryShare',
    label: 'Adversary share',
    hint: 'Policy-aware: share of each iteration’s real steps the adversary collects.',
    change: 'live',
  },
  {
    key: 'advsig',
    path: 'objective.adversarySignal',
    label: 'Adversary signal',
    hint: 'Policy-aware: what the adversary seeks, the critic’s error or the ensemble’s disagreement.',
    change: 'restart',
    names: { critic: 'Critic error', disagreement: 'Ensemble disagreement' },
  },
  {
    key: 'ball',
    path: 'objective.ballRadius',
    label: 'Likelihood ball',
    hint: 'Stackelberg: how far the holdout loss may rise as the model turns pessimistic.',
    change: 'live',
  },
  {
    key: 'evep',
    path: 'evaluation.episodes',
    label: 'Evaluation episodes',
    hint: 'Real episodes per evaluation (fixed start states).',
    change: 'restart',
  },
  {
    key: 'evlen',
    path: 'evaluation.episodeLength',
    label: 'Episode length',
    hint: 'Steps per evaluation episode, real and imagined.',
    change: 'restart',
    scale: 'log',
  },
] as const satisfies readonly KnobSpec[];

export type KnobKey = (typeof KNOB_SPECS)[number]['key'];

interface KnobBase extends Omit<KnobSpec, 'key'> {
  readonly key: KnobKey;
  /** The section holding the leaf, or null for a top-level knob such as `seed`. */
  readonly section: ControlGroup | null;
  /** The leaf's name in its section (`learningRate`). */
  readonly name: string;
  readonly shared: boolean;
}

/** A knob with its range or choices, read from the schema. */
export type Knob =
  | (KnobBase & { readonly kind: 'int' | 'real'; readonly min: number; readonly max: number })
  | (KnobBase & { readonly kind: 'enum'; readonly values: readonly string[] });

function unwrapDefault(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
}

/** The schema node at a dotted path, defaults unwrapped; undefined if the path names nothing. */
function schemaAt(path: string): z.ZodType | undefined {
  let node: z.ZodType = experimentConfigSchema;
  for (const part of path.split('.')) {
    node = unwrapDefault(node);
    if (!(node instanceof z.ZodObject) || !Object.hasOwn(node.shape, part)) return undefined;
    node = node.shape[part] as z.ZodType;
  }
  return unwrapDefault(node);
}

function describe(spec: KnobSpec & { readonly key: KnobKey }): Knob {
  const [first, second] = spec.path.split('.');
  const base: KnobBase = {
    ...spec,
    shared: spec.shared === true,
    ...(second === undefined
      ? { section: null, name: first }
      : { section: first as ControlGroup, name: second }),
  };
  const schema = schemaAt(spec.path);
  if (schema instanceof z.ZodNumber) {
    const { minValue, maxValue } = schema;
    // Unbounded numbers could not be clamped, and every knob is meant to have a range.
    if (minValue === null || maxValue === null || !Number.isFinite(minValue + maxValue)) {
      throw new Error(`knob "${spec.key}": ${spec.path} needs a finite min and max in schema.ts`);
    }
    return { ...base, kind: schema.isInt ? 'int' : 'real', min: minValue, max: maxValue };
  }
  if (schema instanceof z.ZodEnum) {
    return { ...base, kind: 'enum', values: schema.options.map(String) };
  }
  // A new kind of knob (a boolean, say) needs the codec and the controls taught to show it.
  throw new Error(`knob "${spec.key}": ${spec.path} is not a number or an enum in schema.ts`);
}

/** Every knob, in link order, with its range or choices. */
export const KNOBS: readonly Knob[] = Object.freeze(KNOB_SPECS.map(describe));

const byKey: ReadonlyMap<string, Knob> = new Map(KNOBS.map((knob) => [knob.key, knob]));
const byPath: ReadonlyMap<string, Knob> = new Map(KNOBS.map((knob) => [knob.path, knob]));

export function knobByKey(key: string): Knob | undefined {
  return byKey.get(key);
}

export function knobByPath(path: KnobPath): Knob {
  const knob = byPath.get(path);
  if (knob === undefined) throw new Error(`no knob sets ${path}`);
  return knob;
}

/** Knobs every compared config shares: a variant may not change them. */
export const SHARED_KEYS: readonly KnobKey[] = KNOBS.filter((knob) => knob.shared).map(
  (knob) => knob.key,
);

export function readLeaf(config: ExperimentConfig, knob: Knob): string | number {
  const holder: Readonly<Record<string, unknown>> =
    knob.section === null ? config : (config[knob.section] as Readonly<Record<string, unknown>>);
  return holder[knob.name] as string | number;
}

/** Writes in place; `knob` comes from the registry, never from a link, so only known names are written. */
export function writeLeaf(config: ExperimentConfig, knob: Knob, value: string | number): void {
  const holder = (knob.section === null ? config : config[knob.section]) as Record<string, unknown>;
  holder[knob.name] = value;
}

/** A copy of the config with one leaf changed (the config's other sections are shared). */
export function withLeaf(
  config: ExperimentConfig,
  knob: Knob,
  value: string | number,
): ExperimentConfig {
  if (knob.section === null) return { ...config, [knob.name]: value };
  return { ...config, [knob.section]: { ...config[knob.section], [knob.name]: value } };
}

/** The real world's physical params are not knobs (`real.<param>` in a link), but shape the run. */
export const REAL_PARAMS_PATH = 'env.realParams';

/**
 * What differs between two configs and needs a fresh run, by config path: the registry's restart
 * knobs, and the real world's physical params. Everything else can change while the run goes on.
 */
export function restartKnobs(current: ExperimentConfig, next: ExperimentConfig): string[] {
  const changed: string[] = KNOBS.filter(
    (knob) => knob.change === 'restart' && readLeaf(current, knob) !== readLeaf(next, knob),
  ).map((knob) => knob.path);
  if (!sameParams(current.env.realParams, next.env.realParams)) changed.push(REAL_PARAMS_PATH);
  return changed;
}

function sameParams(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.is(a[key], b[key]));
}

/** One knob's change, as a report and a results file record it. */
export interface KnobChange {
  readonly key: KnobKey;
  readonly from: string | number;
  readonly to: string | number;
}

/** Every knob whose value differs between two configs, in link order. */
export function knobChanges(from: ExperimentConfig, to: ExperimentConfig): KnobChange[] {
  return KNOBS.flatMap((knob) => {
    const [a, b] = [readLeaf(from, knob), readLeaf(to, knob)];
    return a === b ? [] : [{ key: knob.key, from: a, to: b }];
  });
}

/**
 * `running` with the live knobs of `edited`: what a run can take now when the edit also holds
 * changes that wait for a fresh run.
 */
export function withLiveKnobs(
  running: ExperimentConfig,
  edited: ExperimentConfig,
): ExperimentConfig {
  let next = running;
  for (const knob of KNOBS) {
    if (knob.change !== 'live') continue;
    const value = readLeaf(edited, knob);
    if (readLeaf(next, knob) !== value) next = withLeaf(next, knob, value);
  }
  return next;
}
