import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { presets, type PresetName } from '../../src/config/presets';
import { experimentConfigSchema, type ExperimentConfig } from '../../src/config/schema';
import {
  decodeHash,
  encodeConfig,
  encodeLink,
  linkOf,
  type DecodedHash,
  type UrlExtras,
  type UrlNoticeKind,
} from '../../src/config/urlCodec';
import {
  MAX_SEEDS,
  MAX_VARIANTS,
  variantField,
  type VariantOverrides,
} from '../../src/config/compareVariants';
import { controlGroups, urlFields, type UrlField } from '../../src/config/urlKeys';
import { ENV_IDS, getEnv } from '../../src/envs/index';

const presetNames = Object.keys(presets) as PresetName[];

/** Real-world params drawn from each env's own ranges: the only ones a link can carry. */
const envArbitrary = fc.constantFrom(...ENV_IDS).chain((id) => {
  const { paramRanges } = getEnv(id).spec;
  const params = Object.fromEntries(
    Object.entries(paramRanges).map(([name, [min, max]]) => [
      name,
      fc.oneof(fc.constantFrom(min, max), fc.double({ min, max, noNaN: true })),
    ]),
  );
  return fc.record({
    id: fc.constant(id),
    realParams: fc.record(params, { requiredKeys: [], noNullPrototype: true }),
  });
});

/**
 * A valid config, built by walking the schema (not the codec's table) so that a knob the codec
 * forgets still gets random values here. Defaults and bounds are drawn often: they are where
 * "omit the default" and clamping live.
 */
function arbitraryFor(schema: z.ZodType, path: string): fc.Arbitrary<unknown> {
  if (path === 'env') return envArbitrary;
  const fallback: unknown = schema instanceof z.ZodDefault ? schema.def.defaultValue : undefined;
  const inner = schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodObject) {
    const fields = Object.entries(inner.shape).map(([name, child]) => [
      name,
      arbitraryFor(child as z.ZodType, path === '' ? name : `${path}.${name}`),
    ]);
    return fc.record(Object.fromEntries(fields), { noNullPrototype: true });
  }
  if (inner instanceof z.ZodNumber) {
    const { minValue: min, maxValue: max } = inner;
    if (min === null || max === null) throw new Error(`${path} has no range`);
    const anywhere = inner.isInt ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
    return fc.oneof(
      { arbitrary: fc.constant(fallback), weight: 1 },
      { arbitrary: fc.constantFrom(min, max), weight: 1 },
      { arbitrary: anywhere, weight: 4 },
    );
  }
  if (inner instanceof z.ZodEnum) return fc.constantFrom(...inner.options);
  if (inner instanceof z.ZodLiteral) return fc.constant(inner.value);
  throw new Error(`No arbitrary for ${path}: teach this test the new kind of knob`);
}

const configArbitrary = arbitraryFor(experimentConfigSchema, '') as fc.Arbitrary<ExperimentConfig>;

/** A value a link may give the field: its bounds often, anywhere in range otherwise. */
function fieldValueArbitrary(field: UrlField): fc.Arbitrary<string | number> {
  if (field.kind === 'enum') return fc.constantFrom(...field.values);
  const { min, max } = field;
  const anywhere =
    field.kind === 'int' ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true });
  return fc.oneof(fc.constantFrom(min, max), anywhere).map((value) => (value === 0 ? 0 : value));
}

const variantFields = urlFields.filter((field) => variantField(field.key) !== undefined);
const variantArbitrary: fc.Arbitrary<VariantOverrides> = fc
  .subarray(variantFields, { maxLength: 6 })
  .chain((fields) =>
    fc.record(Object.fromEntries(fields.map((field) => [field.key, fieldValueArbitrary(field)])), {
      noNullPrototype: true,
    }),
  );

const extrasArbitrary: fc.Arbitrary<UrlExtras> = fc.record(
  {
    preset: fc.constantFrom(...presetNames),
    hide: fc.subarray([...controlGroups]),
    compare: fc.array(variantArbitrary, { maxLength: MAX_VARIANTS }),
    seeds: fc.integer({ min: 1, max: MAX_SEEDS }),
    lesson: fc.option(
      fc.record({
        id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
        step: fc.integer({ min: 0, max: 999_999 }),
      }),
    ),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const NOTICE_KINDS: readonly UrlNoticeKind[] = [
  'unknown-key',
  'bad-value',
  'clamped',
  'rounded',
  'duplicate',
  'migrated',
  'unsupported-version',
  'unknown-preset',
  'unknown-param',
  'too-long',
  'too-many-keys',
];

/**
 * What every decode must give, whatever went in: the first failure, or null. Plain checks rather
 * than `expect` per notice keep 10 000 runs fast (a long link carries hundreds of notices).
 */
function problemWith(decoded: DecodedHash): string | null {
  const { config } = decoded;
  const parsed = experimentConfigSchema.safeParse(config);
  if (!parsed.success || !isDeepStrictEqual(parsed.data, config)) return 'config is not valid';
  const { paramRanges } = getEnv(config.env.id).spec;
  for (const [name, value] of Object.entries(config.env.realParams)) {
    if (!Object.hasOwn(paramRanges, name)) return `real param ${name} is not one of the env's`;
    const [min, max] = paramRanges[name];
    if (!(value >= min && value <= max)) return `real param ${name}=${value} is out of range`;
  }
  for (const notice of decoded.notices) {
    if (!NOTICE_KINDS.includes(notice.kind)) return `unknown notice kind ${notice.kind}`;
    if (typeof notice.message !== 'string' || notice.message.length === 0) return 'empty message';
    // The last-resort fallback to defaults must never be what saved a decode.
    if (notice.key === '(config)') return 'the codec produced an invalid config';
  }
  if (!decoded.hide.every((group) => controlGroups.includes(group))) return 'unknown hidden group';
  if (decoded.preset !== null && !presetNames.includes(decoded.preset)) return 'unknown preset';
  if (!(Number.isInteger(decoded.seeds) && decoded.seeds >= 1 && decoded.seeds <= MAX_SEEDS)) {
    return `seeds=${decoded.seeds} is out of range`;
  }
  if (decoded.compare.length > MAX_VARIANTS) return 'too many variants';
  for (const variant of decoded.compare) {
    for (const [key, value] of Object.entries(variant)) {
      const field = variantField(key);
      if (field === undefined) return `variant overrides ${key}, which no variant may`;
      const fits =
        field.kind === 'enum'
          ? field.values.includes(String(value))
          : typeof value === 'number' &&
            value >= field.min &&
            value <= field.max &&
            (field.kind === 'real' || Number.isInteger(value));
      if (!fits) return `variant value ${key}:${String(value)} is not valid`;
    }
  }
  // Whatever was read can be shared again, and reads back the same, silently.
  const extras = {
    preset: decoded.preset ?? undefined,
    hide: decoded.hide,
    lesson: decoded.lesson,
    compare: decoded.compare,
    seeds: decoded.seeds,
  };
  const again = decodeHash(encodeConfig(config, extras));
  if (again.notices.length > 0) return `re-encoding is not silent: ${again.notices[0].message}`;
  if (
    !isDeepStrictEqual(
      [again.config, again.hide, again.lesson, again.compare, again.seeds],
      [config, decoded.hide, decoded.lesson, decoded.compare, decoded.seeds],
    )
  ) {
    return 're-encoding does not read back the same';
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken links

const knownKeys = [
  ...urlFields.map((field) => field.key),
  'v',
  'preset',
  'hide',
  'lesson',
  'real',
  'cmp',
  'seeds',
  'real.g',
  'real.gravity',
  'real.dt',
  'real.LINK_LENGTH_2',
];
const junkKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'real.__proto__',
  'real.',
  '',
];
const enumValues = urlFields.flatMap((field) => (field.kind === 'enum' ? field.values : []));
const percentGarbage = [
  '%',
  '%2',
  '%zz',
  '%25',
  '%E0%A4%A',
  '%C0%80',
  '%FF',
  '%00',
  '%3D',
  '%26',
  '%23',
];
const trickyValues = [
  ...enumValues,
  ...presetNames,
  ...percentGarbage,
  ...ENV_IDS,
  'nominal',
  '',
  '1e999',
  '-1e999',
  '0x10',
  '-0',
  '1,2',
  ' 1',
  'NaN',
  'Infinity',
  'model,risk,bogus',
  'intro:3',
  'intro.3',
  '3.0',
  'intro:',
  'obj:mnm,width:64;steps:50',
  'width:9999;width:1,be:cpu',
  ',,,,',
  ';:;',
  '__proto__:1;toString:2',
  ':3',
  '2',
  '0',
];

const keyArbitrary = fc.oneof(
  fc.constantFrom(...knownKeys),
  fc.constantFrom(...junkKeys),
  fc.string({ maxLength: 8 }),
  fc.string({ maxLength: 8 }).map((name) => `real.${name}`),
);
const valueArbitrary = fc.oneof(
  fc.constantFrom(...trickyValues),
  fc.double().map(String),
  fc.integer({ min: -1e6, max: 1e6 }).map(String),
  fc.string({ maxLength: 12, unit: 'binary' }),
);
const pairsArbitrary = fc
  .array(fc.tuple(keyArbitrary, valueArbitrary, fc.boolean(), fc.nat(9)), { maxLength: 30 })
  .map((pairs) =>
    pairs
      .map(([key, value, escaped, bareOneInTen]) => {
        if (bareOneInTen === 0) return key;
        return `${key}=${escaped ? safeEncode(value) : value}`;
      })
      .join('&'),
  );

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text; // lone surrogates: left raw, which is one more kind of garbage
  }
}

type Mutation = {
  kind: 'flip' | 'delete' | 'duplicate' | 'insert';
  at: number;
  length: number;
  text: string;
};
const mutationArbitrary: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'delete', 'duplicate', 'insert'),
  at: fc.nat(),
  length: fc.integer({ min: 1, max: 12 }),
  text: fc.oneof(
    fc.constantFrom(...percentGarbage, '&', '=', '#', '.', '-', 'e'),
    fc.string({ maxLength: 3 }),
  ),
});

function mutate(hash: string, mutation: Mutation): string {
  const at = hash.length === 0 ? 0 : mutation.at % hash.length;
  const end = Math.min(hash.length, at + mutation.length);
  switch (mutation.kind) {
    case 'flip':
      return hash.slice(0, at) + mutation.text + hash.slice(at + 1);
    case 'delete':
      return hash.slice(0, at) + hash.slice(end);
    case 'duplicate':
      return hash.slice(0, end) + hash.slice(at, end) + hash.slice(end);
    case 'insert':
      return hash.slice(0, at) + mutation.text + hash.slice(at);
  }
}

const mutatedArbitrary = fc
  .tuple(
    configArbitrary,
    extrasArbitrary,
    fc.array(mutationArbitrary, { minLength: 1, maxLength: 6 }),
  )
  .map(([config, extras, mutations]) => mutations.reduce(mutate, encodeConfig(config, extras)));

const hostileArbitrary = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  pairsArbitrary,
  pairsArbitrary.map((hash) => `v=2&${hash}`),
  mutatedArbitrary,
  fc
    .array(fc.constantFrom(...percentGarbage, '&', '=', '#', 'v', '1', 'width', 'real.g'), {
      maxLength: 60,
    })
    .map((parts) => parts.join('')),
  // Long links: past the length cap and the pair cap.
  fc
    .tuple(pairsArbitrary, fc.integer({ min: 50, max: 600 }))
    .map(([hash, times]) => `${hash}&`.repeat(times)),
);

describe('URL codec properties', () => {
  it('decode(encode(config)) is the config, silently, for every valid config and extras', () => {
    fc.assert(
      fc.property(configArbitrary, extrasArbitrary, (config, extras) => {
        expect(experimentConfigSchema.parse(config)).toEqual(config);
        const decoded = decodeHash(encodeConfig(config, extras));
        expect(decoded.notices).toEqual([]);
        expect(decoded.config).toEqual(config);
        expect(decoded.preset).toBe(extras.preset ?? null);
        expect(decoded.hide).toEqual(extras.hide ?? []);
        expect(decoded.lesson).toEqual(extras.lesson ?? null);
        // A variant that changes nothing is not printed (a copy of the base is no comparison).
        expect(decoded.compare).toEqual(
          (extras.compare ?? []).filter((variant) => Object.keys(variant).length > 0),
        );
        expect(decoded.seeds).toBe(extras.seeds ?? 1);
      }),
      { numRuns: 1_000 },
    );
  });

  it('encodeLink and decodeHash are inverses on link states (the decoded state written back is the same link)', () => {
    fc.assert(
      fc.property(configArbitrary, extrasArbitrary, (config, extras) => {
        const decoded = decodeHash(encodeConfig(config, extras));
        const again = decodeHash(encodeLink(decoded));
        expect(again.notices).toEqual([]);
        expect(linkOf(again)).toEqual(linkOf(decoded));
        expect(encodeLink(again)).toBe(encodeLink(decoded));
      }),
      { numRuns: 300 },
    );
  });

  it('reads any string, however broken, into a valid config without throwing', () => {
    fc.assert(
      fc.property(hostileArbitrary, (hash) => {
        expect(problemWith(decodeHash(hash))).toBeNull();
      }),
      { numRuns: 10_000 },
    );
  });
});
