/**
 * Compare mode: up to four configs that differ in a few knobs, run on the same seeds and drawn in
 * the same charts. The first is the config on screen (the base); every other one is the base with
 * some knobs overridden. Overrides are named by the URL's own keys (`{ obj: 'mnm', width: 64 }`),
 * so a variant reads like the link that carries it and needs no vocabulary of its own.
 */
import { SHARED_KEYS } from './knobs';
import { experimentConfigSchema, type ExperimentConfig } from './schema';
import { readLeaf, urlFields, writeLeaf, type UrlField, type UrlKey } from './urlKeys';

export { SHARED_KEYS };

/** The base and at most three variants: more lines than that in one chart cannot be told apart. */
export const MAX_CONFIGS = 4;
export const MAX_VARIANTS = MAX_CONFIGS - 1;
/** Seeds per config; each config runs on seeds base, base + 1, … (the lab's `--seeds` does the same). */
export const MAX_SEEDS = 5;

export type VariantOverrides = Readonly<Partial<Record<UrlKey, string | number>>>;

const fieldsByKey: ReadonlyMap<string, UrlField> = new Map(
  urlFields.map((field) => [field.key, field]),
);

/** The knob a variant may change under this key; undefined for a shared knob (the registry's `shared`) or no knob. */
export function variantField(key: string): UrlField | undefined {
  const field = fieldsByKey.get(key);
  return field === undefined || field.shared ? undefined : field;
}

/** The overrides in the key table's order, which is the order a link prints them in. */
export function overrideEntries(overrides: VariantOverrides): [UrlField, string | number][] {
  return urlFields.flatMap((field) => {
    const value = overrides[field.key];
    return value === undefined || variantField(field.key) === undefined
      ? []
      : [[field, value] as [UrlField, string | number]];
  });
}

/**
 * The base with a variant's overrides. A variant in another env starts from that env's nominal
 * physics, as the controls do: the base's physical params belong to the base's env.
 * Throws on a value outside its schema range, which the codec and the controls never produce.
 */
export function applyVariant(
  base: ExperimentConfig,
  overrides: VariantOverrides,
): ExperimentConfig {
  // The config is plain JSON by contract (it crosses the worker boundary), so this copy is exact.
  const config = JSON.parse(JSON.stringify(base)) as ExperimentConfig;
  for (const [field, value] of overrideEntries(overrides)) writeLeaf(config, field, value);
  if (config.env.id !== base.env.id) config.env.realParams = {};
  return experimentConfigSchema.parse(config);
}

/** Every config of a comparison, the base first. */
export function comparedConfigs(
  base: ExperimentConfig,
  variants: readonly VariantOverrides[],
): ExperimentConfig[] {
  return [
    base,
    ...variants.slice(0, MAX_VARIANTS).map((overrides) => applyVariant(base, overrides)),
  ];
}

/** The overrides that actually change the base, e.g. for a legend: `[width field, 64]`. */
export function effectiveOverrides(
  base: ExperimentConfig,
  overrides: VariantOverrides,
): [UrlField, string | number][] {
  return overrideEntries(overrides).filter(([field, value]) => readLeaf(base, field) !== value);
}
