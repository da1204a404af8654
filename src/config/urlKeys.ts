/**
 * The URL's vocabulary: one short key per config knob, in the order a link prints them. Ranges,
 * integer-ness, enum values and defaults are read from the schema, never restated here, so a
 * knob's limits still live in schema.ts alone; this table only names things.
 */
import { z } from 'zod';
import { experimentConfigSchema, type ExperimentConfig } from './schema';

/** The config's sections (objects). They double as the UI's control groups a teacher can hide. */
export type ControlGroup = {
  [K in keyof ExperimentConfig]: ExperimentConfig[K] extends object ? K : never;
}[keyof ExperimentConfig];

/** Every leaf of the config a URL key can name: `seed`, `model.width`, ... */
type LeafPath = {
  [K in keyof ExperimentConfig & string]: ExperimentConfig[K] extends object
    ? `${K}.${Exclude<keyof ExperimentConfig[K] & string, 'realParams'>}`
    : K;
}[keyof ExperimentConfig & string];

/** `version` is the `v` key and `env.realParams` the `real.<param>` keys: both read specially. */
export type UrlFieldPath = Exclude<LeafPath, 'version'>;

/** Keys the codec reads itself; a table key must not shadow them. */
export const VERSION_KEY = 'v';
export const PRESET_KEY = 'preset';
export const HIDE_KEY = 'hide';
export const LESSON_KEY = 'lesson';
/**
 * Compare mode: `cmp=obj:mnm,width:64;steps:50` adds variants of the config (compareVariants.ts):
 * ',' separates the variants, ';' a variant's changes (here B changes obj, C width and steps).
 */
export const COMPARE_KEY = 'cmp';
/** How many seeds each config runs on, for the mean and its band. */
export const SEEDS_KEY = 'seeds';
/** `real=nominal` clears a preset's real-world params; `real.<param>=x` sets one. */
export const REAL_KEY = 'real';
export const REAL_PARAM_PREFIX = 'real.';
export const REAL_NOMINAL = 'nominal';

export const urlKeyTable = [
  ['env', 'env.id'],
  ['obj', 'objective.kind'],
  ['seed', 'seed'],
  ['it', 'iterations'],
  ['be', 'backend'],
  ['init', 'data.initialRandomSteps'],
  ['steps', 'data.realStepsPerIteration'],
  ['noise', 'data.explorationNoise'],
  ['buf', 'data.bufferSize'],
  ['hold', 'data.holdoutFraction'],
  ['ens', 'model.ensembleSize'],
  ['width', 'model.width'],
  ['depth', 'model.depth'],
  ['act', 'model.activation'],
  ['lik', 'model.likelihood'],
  ['lr', 'model.learningRate'],
  ['wd', 'model.weightDecay'],
  ['fit', 'model.trainStepsPerIteration'],
  ['mb', 'model.batchSize'],
  ['pre', 'model.pretrainTransitions'],
  ['rew', 'reward.kind'],
  ['rnoise', 'reward.noiseStd'],
  ['B', 'imagination.rollouts'],
  ['H', 'imagination.horizon'],
  ['opt', 'optimiser.kind'],
  ['plr', 'optimiser.learningRate'],
  ['psteps', 'optimiser.stepsPerIteration'],
  ['pw', 'optimiser.policyWidth'],
  ['pd', 'optimiser.policyDepth'],
  ['gamma', 'optimiser.discount'],
  ['lam', 'optimiser.lambda'],
  ['pop', 'optimiser.cemPopulation'],
  ['elite', 'optimiser.cemElites'],
  ['cemit', 'optimiser.cemIterations'],
  ['cemh', 'optimiser.cemHorizon'],
  ['smooth', 'optimiser.cemSmoothing'],
  ['risk', 'risk.kind'],
  ['alpha', 'risk.alpha'],
  ['strength', 'objective.strength'],
  ['advshare', 'objective.adversaryShare'],
  ['advsig', 'objective.adversarySignal'],
  ['ball', 'objective.ballRadius'],
  ['evep', 'evaluation.episodes'],
  ['evlen', 'evaluation.episodeLength'],
] as const satisfies readonly (readonly [string, UrlFieldPath])[];

export type UrlKey = (typeof urlKeyTable)[number][0];

interface UrlFieldBase {
  readonly key: UrlKey;
  readonly path: UrlFieldPath;
  /** The section holding the field, or null for a top-level knob such as `seed`. */
  readonly section: ControlGroup | null;
  readonly name: string;
}

export type UrlField =
  | (UrlFieldBase & { readonly kind: 'int' | 'real'; readonly min: number; readonly max: number })
  | (UrlFieldBase & { readonly kind: 'enum'; readonly values: readonly string[] });

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

function describeField(key: UrlKey, path: UrlFieldPath): UrlField {
  const [first, second] = path.split('.');
  const base: UrlFieldBase =
    second === undefined
      ? { key, path, section: null, name: first }
      : { key, path, section: first as ControlGroup, name: second };
  const schema = schemaAt(path);
  if (schema instanceof z.ZodNumber) {
    const { minValue, maxValue } = schema;
    // Unbounded numbers could not be clamped, and every knob is meant to have a range.
    if (minValue === null || maxValue === null || !Number.isFinite(minValue + maxValue)) {
      throw new Error(`URL key "${key}": ${path} needs a finite min and max in schema.ts`);
    }
    return { ...base, kind: schema.isInt ? 'int' : 'real', min: minValue, max: maxValue };
  }
  if (schema instanceof z.ZodEnum) {
    return { ...base, kind: 'enum', values: schema.options.map(String) };
  }
  // A new kind of knob (a boolean, say) needs the codec taught to print and read it.
  throw new Error(`URL key "${key}": the codec cannot encode ${path} (not a number or an enum)`);
}

export const urlFields: readonly UrlField[] = Object.freeze(
  urlKeyTable.map(([key, path]) => describeField(key, path)),
);

export const controlGroups: readonly ControlGroup[] = Object.freeze(
  Object.entries(experimentConfigSchema.shape)
    .filter(([, schema]) => unwrapDefault(schema) instanceof z.ZodObject)
    .map(([name]) => name as ControlGroup),
);

export function isControlGroup(name: string): name is ControlGroup {
  return (controlGroups as readonly string[]).includes(name);
}

export function readLeaf(config: ExperimentConfig, field: UrlField): string | number {
  const holder: Readonly<Record<string, unknown>> =
    field.section === null ? config : (config[field.section] as Readonly<Record<string, unknown>>);
  return holder[field.name] as string | number;
}

/** Writes in place; `field` comes from the table above, never from a link, so only known names are written. */
export function writeLeaf(config: ExperimentConfig, field: UrlField, value: string | number): void {
  const holder = (field.section === null ? config : config[field.section]) as Record<
    string,
    unknown
  >;
  holder[field.name] = value;
}
