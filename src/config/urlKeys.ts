/**
 * The URL's vocabulary: one short key per config knob, in the order a link prints them. The keys
 * are the knob registry's (knobs.ts), and ranges, integer-ness, enum values and defaults are read
 * from the schema: this file only adds the keys the codec reads itself.
 */
import { z } from 'zod';
import {
  KNOBS,
  readLeaf,
  writeLeaf,
  type ControlGroup,
  type Knob,
  type KnobKey,
  type KnobPath,
} from './knobs';
import { experimentConfigSchema } from './schema';

export type { ControlGroup };
export { readLeaf, writeLeaf };

/** Every leaf of the config a URL key can name: `seed`, `model.width`, ... */
export type UrlFieldPath = KnobPath;

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

/** [key, config path] in link order, from the registry. */
export const urlKeyTable: readonly (readonly [UrlKey, UrlFieldPath])[] = KNOBS.map(
  (knob) => [knob.key, knob.path] as const,
);

export type UrlKey = KnobKey;

/** A knob as the codec sees it (the registry's entry: key, path, range or choices). */
export type UrlField = Knob;

export const urlFields: readonly UrlField[] = KNOBS;

function unwrapDefault(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
}

export const controlGroups: readonly ControlGroup[] = Object.freeze(
  Object.entries(experimentConfigSchema.shape)
    .filter(([, schema]) => unwrapDefault(schema) instanceof z.ZodObject)
    .map(([name]) => name as ControlGroup),
);

export function isControlGroup(name: string): name is ControlGroup {
  return (controlGroups as readonly string[]).includes(name);
}
