/**
 * The URL is the config: `#v=2&env=Pendulum-v1&obj=policyAware&seed=3`. This module owns that
 * string in both directions (the key table is in urlKeys.ts, old formats in urlMigrations.ts).
 *
 * Links are typed by hand, cut by chat apps and shared between classes, so decoding never throws
 * and never gives up on the whole link for one bad key: every value is validated and clamped into
 * its schema range, and whatever was changed or ignored is said in a notice the UI can show.
 * Only a link from a NEWER app is refused outright, since guessing its meaning could silently run
 * a different experiment than the one its author shared.
 */
import { getEnv, type EnvSpec } from '../envs/index';
import {
  MAX_SEEDS,
  MAX_VARIANTS,
  overrideEntries,
  SHARED_KEYS,
  variantField,
  type VariantOverrides,
} from './compareVariants';
import { defaultConfig } from './parse';
import { isPresetName, presets, type PresetName } from './presets';
import { experimentConfigSchema, type ExperimentConfig } from './schema';
import {
  COMPARE_KEY,
  controlGroups,
  HIDE_KEY,
  isControlGroup,
  LESSON_KEY,
  PRESET_KEY,
  REAL_KEY,
  REAL_NOMINAL,
  REAL_PARAM_PREFIX,
  readLeaf,
  SEEDS_KEY,
  urlFields,
  VERSION_KEY,
  writeLeaf,
  type ControlGroup,
  type UrlField,
} from './urlKeys';
import { migratePairs, urlMigrations, type UrlMigrationTable, type UrlPair } from './urlMigrations';

/** The URL format's version is the config schema's: a change to one is a change to the other. */
export const URL_VERSION: number = defaultConfig.version;
/** Far above any honest link (every knob changed is under 1.5 kB); bounds the work per decode. */
export const MAX_HASH_LENGTH = 8192;
export const MAX_URL_PAIRS = 256;

export type UrlNoticeKind =
  | 'unknown-key'
  | 'bad-value'
  | 'clamped'
  | 'rounded'
  | 'duplicate'
  | 'migrated'
  | 'unsupported-version'
  | 'unknown-preset'
  | 'unknown-param'
  | 'too-long'
  | 'too-many-keys';

/** One thing the decoder changed or ignored; `message` is a full sentence for a dismissable notice. */
export interface UrlNotice {
  readonly key: string;
  readonly kind: UrlNoticeKind;
  readonly message: string;
}

export interface LessonRef {
  readonly id: string;
  /** 0-based; a link prints it 1-based (`lesson=3.2` is lesson 3's second step). */
  readonly step: number;
}

/** The classroom state that travels with a config but is not part of it. */
export interface UrlExtras {
  /** The preset the link starts from; only differences from it are printed. */
  readonly preset?: PresetName;
  readonly hide?: readonly ControlGroup[];
  readonly lesson?: LessonRef | null;
  /** Compare mode: the variants run beside the config (compareVariants.ts). */
  readonly compare?: readonly VariantOverrides[];
  /** Seeds each config runs on (1 to MAX_SEEDS); 1 is not printed. */
  readonly seeds?: number;
}

/**
 * Everything a link says, the one object `encodeLink` writes and `decodeHash` reads back: the
 * config, the preset it starts from, the hidden control groups, the lesson step, the compared
 * variants and the seeds.
 */
export interface LinkState {
  readonly config: ExperimentConfig;
  readonly preset: PresetName | null;
  readonly hide: readonly ControlGroup[];
  readonly lesson: LessonRef | null;
  readonly compare: readonly VariantOverrides[];
  readonly seeds: number;
}

/** The link state's fields, for those who copy or compare a link's part of a larger state. */
export const LINK_FIELDS = ['config', 'preset', 'hide', 'lesson', 'compare', 'seeds'] as const;

/** A link's state, and what the decoder changed or ignored to read it. */
export interface DecodedHash extends LinkState {
  readonly hide: ControlGroup[];
  readonly compare: VariantOverrides[];
  readonly notices: UrlNotice[];
}

type LinkField = (typeof LINK_FIELDS)[number];

/** The link part of a larger state (a decoded hash's, the store's), its fields' types kept. */
export function linkOf<T extends LinkState>(state: T): Pick<T, LinkField> {
  return Object.fromEntries(LINK_FIELDS.map((field) => [field, state[field]])) as Pick<T, LinkField>;
}

/** Whether two states say the same link (by identity of each field, as a store's updates keep them). */
export function sameLink(a: LinkState, b: LinkState): boolean {
  return LINK_FIELDS.every((field) => a[field] === b[field]);
}

/** The hash (without '#') of a link state; `decodeHash` reads it back to the same state. */
export function encodeLink(link: LinkState): string {
  return encodeConfig(link.config, {
    ...(link.preset === null ? {} : { preset: link.preset }),
    hide: link.hide,
    lesson: link.lesson,
    compare: link.compare,
    seeds: link.seeds,
  });
}

const fieldsByKey: ReadonlyMap<string, UrlField> = new Map(
  urlFields.map((field) => [field.key, field]),
);
const reservedKeys = [
  VERSION_KEY,
  PRESET_KEY,
  HIDE_KEY,
  LESSON_KEY,
  REAL_KEY,
  COMPARE_KEY,
  SEEDS_KEY,
];
/** For "did you mean B?" when someone types `b=`: keys are case-sensitive, people are not. */
const knownKeysByLowerCase: ReadonlyMap<string, string> = new Map(
  [...fieldsByKey.keys(), ...reservedKeys].map((key) => [key.toLowerCase(), key]),
);
const LESSON_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/**
 * A step is any whole number a double holds exactly (the app says when the lesson has fewer
 * steps); 15 digits keep every such number below 2^53.
 */
const LESSON_STEP_DIGITS = 15;
const LESSON_STEP = new RegExp(`^\\d{1,${LESSON_STEP_DIGITS}}$`);
/** Plain decimal or scientific notation only: `Number()` would also take '', ' 1', '0x1f', 'Infinity'. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

// ---------------------------------------------------------------------------------------------
// Encoding

export function encodeConfig(config: ExperimentConfig, extras: UrlExtras = {}): string {
  const baseline = extras.preset === undefined ? defaultConfig : presetBaseline(extras.preset);
  const parts = [`${VERSION_KEY}=${URL_VERSION}`];
  if (extras.preset !== undefined) parts.push(formatPair(PRESET_KEY, extras.preset));
  for (const field of urlFields) {
    const value = readLeaf(config, field);
    if (value !== readLeaf(baseline, field)) parts.push(formatPair(field.key, formatValue(value)));
  }
  parts.push(...encodeRealParams(config.env.realParams, baseline.env.realParams));
  if (extras.hide !== undefined && extras.hide.length > 0) {
    parts.push(formatPair(HIDE_KEY, extras.hide.join(',')));
  }
  // A variant with nothing to change is a copy of the base, not a comparison: not printed.
  const variants = (extras.compare ?? []).map(formatVariant).filter((text) => text !== '');
  if (variants.length > 0) parts.push(formatPair(COMPARE_KEY, variants.join(',')));
  if (extras.seeds !== undefined && extras.seeds !== 1) {
    parts.push(formatPair(SEEDS_KEY, formatValue(extras.seeds)));
  }
  if (extras.lesson) {
    const { id, step } = extras.lesson;
    parts.push(formatPair(LESSON_KEY, step === 0 ? id : `${id}.${step + 1}`));
  }
  return parts.join('&');
}

/** `width:64;obj:mnm`: the overrides in table order; a variant changing nothing is empty. */
function formatVariant(overrides: VariantOverrides): string {
  return overrideEntries(overrides)
    .map(([field, value]) => `${field.key}:${formatValue(value)}`)
    .join(';');
}

/** Real-world params are merged onto the preset's, so only changes are printed... */
function encodeRealParams(
  params: Readonly<Record<string, number>>,
  baseline: Readonly<Record<string, number>>,
): string[] {
  const parts: string[] = [];
  // ...unless the preset has one the config lacks: merging cannot remove it, so start from none.
  const mustClear = Object.keys(baseline).some((name) => !Object.hasOwn(params, name));
  if (mustClear) parts.push(formatPair(REAL_KEY, REAL_NOMINAL));
  for (const name of Object.keys(params).sort()) {
    if (mustClear || params[name] !== baseline[name]) {
      parts.push(formatPair(REAL_PARAM_PREFIX + name, formatValue(params[name])));
    }
  }
  return parts;
}

/** Shortest text that reads back as the same double (JS's own number printing), '-0' as '0'. */
function formatValue(value: string | number): string {
  return String(value);
}

function formatPair(key: string, value: string): string {
  return `${encodeComponent(key)}=${encodeComponent(value)}`;
}

/** Like encodeURIComponent, but keeps ',' ':' ';' (legal in a fragment, and what hide/lesson/cmp use). */
function encodeComponent(text: string): string {
  const wellFormed = text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
  return encodeURIComponent(wellFormed)
    .replace(/%2C/g, ',')
    .replace(/%3A/g, ':')
    .replace(/%3B/g, ';');
}

// ---------------------------------------------------------------------------------------------
// Decoding

/**
 * Reads a link's hash (with or without '#', or a whole URL) into a valid config. Never throws.
 * `migrations` is for tests and the next format's author; the app uses the default.
 */
export function decodeHash(
  hash: string,
  migrations: UrlMigrationTable = urlMigrations,
): DecodedHash {
  const notices: UrlNotice[] = [];
  const text = extractHashText(typeof hash === 'string' ? hash : '', notices);
  const pairs = splitPairs(text, notices);

  const version = readVersion(pairs, notices);
  if (version.refused !== null) return refused(version.refused);
  let current: readonly UrlPair[] = pairs.filter((pair) => pair.key !== VERSION_KEY);
  if (version.number < URL_VERSION) {
    const outcome = migratePairs(current, version.number, URL_VERSION, migrations);
    if (!outcome.ok) {
      return refused(
        `This link was made by an older version of the app (URL version ${version.number}) whose ` +
          `links this one can no longer read. Its settings were not applied; showing the defaults.`,
      );
    }
    for (const change of outcome.applied) {
      notices.push({
        key: VERSION_KEY,
        kind: 'migrated',
        message: `This link was made by an older version of the app (v=${version.number}) and was updated: ${change}.`,
      });
    }
    current = outcome.pairs;
  }

  const entries = lastValueWins(current, notices);
  const start = readPreset(entries.get(PRESET_KEY), notices);
  entries.delete(PRESET_KEY);
  const fallbackLabel = start.preset === null ? 'the default' : `preset ${start.preset}'s value`;

  const working = cloneConfig(start.config);
  let hide: ControlGroup[] = [];
  let lesson: LessonRef | null = null;
  let compareText: string | null = null;
  let seeds = 1;
  let startFromNominal = false;
  const realOverrides = new Map<string, string>();

  for (const [key, value] of entries) {
    const field = fieldsByKey.get(key);
    if (field !== undefined) {
      const read = readField(field, value, readLeaf(working, field), fallbackLabel);
      if (read.notice !== null) notices.push(read.notice);
      writeLeaf(working, field, read.value);
    } else if (key.startsWith(REAL_PARAM_PREFIX)) {
      realOverrides.set(key.slice(REAL_PARAM_PREFIX.length), value);
    } else if (key === REAL_KEY) {
      startFromNominal = value === REAL_NOMINAL;
      if (!startFromNominal) {
        notices.push(
          badValue(key, value, `its one value is ${REAL_NOMINAL} (the nominal physics)`),
        );
      }
    } else if (key === HIDE_KEY) {
      hide = readHide(value, notices);
    } else if (key === LESSON_KEY) {
      lesson = readLesson(value, notices);
    } else if (key === COMPARE_KEY) {
      compareText = value;
    } else if (key === SEEDS_KEY) {
      seeds = readSeeds(value, notices);
    } else {
      notices.push(unknownKey(key));
    }
  }

  working.env.realParams = resolveRealParams(
    getEnv(working.env.id).spec,
    startFromNominal ? {} : start.config.env.realParams,
    start.preset,
    realOverrides,
    notices,
  );

  // Read last: a variant's value that is bad falls back to the final base's, wherever cmp= stands.
  const compare = compareText === null ? [] : readCompare(compareText, working, notices);

  // The steps above keep every value in range; this is the guarantee, not the mechanism.
  const validated = experimentConfigSchema.safeParse(working);
  if (!validated.success) {
    notices.push({
      key: '(config)',
      kind: 'bad-value',
      message: 'The link did not give a valid experiment; showing the defaults instead.',
    });
    return { config: defaultConfig, notices, hide, lesson, preset: null, compare: [], seeds };
  }
  return { config: validated.data, notices, hide, lesson, preset: start.preset, compare, seeds };
}

/**
 * Whether the link was refused whole (made by a newer app, or an older one with no way to read it
 * now): the app keeps such a link as it is, so that reloading a newer app can still read it.
 */
export function isRefusedLink(decoded: DecodedHash): boolean {
  return decoded.notices.some((notice) => notice.kind === 'unsupported-version');
}

function refused(message: string): DecodedHash {
  return {
    config: defaultConfig,
    notices: [{ key: VERSION_KEY, kind: 'unsupported-version', message }],
    hide: [],
    lesson: null,
    preset: null,
    compare: [],
    seeds: 1,
  };
}

function extractHashText(input: string, notices: UrlNotice[]): string {
  const hashAt = input.indexOf('#');
  let text = hashAt >= 0 ? input.slice(hashAt + 1) : input;
  if (text.length > MAX_HASH_LENGTH) {
    notices.push({
      key: '(link)',
      kind: 'too-long',
      message: `The link is ${text.length} characters long; only the first ${MAX_HASH_LENGTH} were read.`,
    });
    // Cut at a pair boundary so the last pair read is whole, not a truncated number.
    const lastBoundary = text.lastIndexOf('&', MAX_HASH_LENGTH);
    text = text.slice(0, lastBoundary > 0 ? lastBoundary : MAX_HASH_LENGTH);
  }
  // A link pasted through an encoder as one string (`v%3D1%26env%3D...`): undo that one layer.
  if (!text.includes('=') && /%3D/i.test(text)) {
    const decoded = tryDecode(text);
    if (decoded !== null) text = decoded;
  }
  return text;
}

function splitPairs(text: string, notices: UrlNotice[]): UrlPair[] {
  const segments = text.split('&').filter((segment) => segment.length > 0);
  if (segments.length > MAX_URL_PAIRS) {
    notices.push({
      key: '(link)',
      kind: 'too-many-keys',
      message: `The link has ${segments.length} settings; only the first ${MAX_URL_PAIRS} were read.`,
    });
    segments.length = MAX_URL_PAIRS;
  }
  const pairs: UrlPair[] = [];
  const nameless: string[] = [];
  for (const segment of segments) {
    const equalsAt = segment.indexOf('=');
    if (equalsAt === 0) {
      nameless.push(segment);
      continue;
    }
    const rawKey = equalsAt >= 0 ? segment.slice(0, equalsAt) : segment;
    const key = tryDecode(rawKey);
    const value = equalsAt >= 0 ? tryDecode(segment.slice(equalsAt + 1)) : '';
    if (key === null || value === null) {
      notices.push({
        key: shorten(key ?? rawKey),
        kind: 'bad-value',
        message: `${show(segment)} has a broken %-escape, so it was ignored.`,
      });
    } else if (equalsAt < 0) {
      notices.push(
        fieldsByKey.has(key) || reservedKeys.includes(key)
          ? badValue(key, '', `write it as ${key}=value`)
          : unknownKey(key),
      );
    } else {
      pairs.push({ key, value });
    }
  }
  if (nameless.length > 0) notices.push(namelessSettings(nameless));
  return pairs;
}

/** `=1`, `==`: one notice for all of them, which no key-by-key notice could name. */
function namelessSettings(segments: readonly string[]): UrlNotice {
  const shown = segments.slice(0, 3).map(show).join(', ') + (segments.length > 3 ? ', …' : '');
  return {
    key: '(no name)',
    kind: 'unknown-key',
    message:
      segments.length === 1
        ? `The link has a setting with no name (${shown}); it was ignored.`
        : `The link has ${segments.length} settings with no name (${shown}); they were ignored.`,
  };
}

function tryDecode(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

type VersionRead =
  { readonly number: number; readonly refused: null } | { readonly refused: string };

function readVersion(pairs: readonly UrlPair[], notices: UrlNotice[]): VersionRead {
  const written = pairs.filter((pair) => pair.key === VERSION_KEY);
  // A link without v= is the current format: people type `#lesson=3.2` (the README does), and
  // links written before v= could only be version 1, the first published format.
  if (written.length === 0) return { number: URL_VERSION, refused: null };
  if (written.length > 1)
    notices.push(duplicate(VERSION_KEY, written.length, written[written.length - 1].value));
  const text = written[written.length - 1].value;
  if (!/^\d{1,9}$/.test(text)) {
    notices.push(
      badValue(VERSION_KEY, text, `the version is a whole number; read as version ${URL_VERSION}`),
    );
    return { number: URL_VERSION, refused: null };
  }
  const version = Number(text);
  if (version > URL_VERSION) {
    return {
      refused:
        `This link was made by a newer version of the app (URL version ${version}; this one reads up to ` +
        `${URL_VERSION}). Its settings were not applied; showing the defaults. Reload the page to get the latest app.`,
    };
  }
  return { number: version, refused: null };
}

/** A key written twice keeps its last value: appending `&width=64` to a link is how one overrides. */
function lastValueWins(pairs: readonly UrlPair[], notices: UrlNotice[]): Map<string, string> {
  const entries = new Map<string, string>();
  const counts = new Map<string, number>();
  for (const { key, value } of pairs) {
    entries.set(key, value);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) {
    if (count > 1) notices.push(duplicate(key, count, entries.get(key) ?? ''));
  }
  return entries;
}

interface Start {
  readonly config: ExperimentConfig;
  readonly preset: PresetName | null;
}

function readPreset(name: string | undefined, notices: UrlNotice[]): Start {
  if (name === undefined) return { config: defaultConfig, preset: null };
  if (!isPresetName(name)) {
    notices.push({
      key: PRESET_KEY,
      kind: 'unknown-preset',
      message: `There is no preset ${show(name)} (known: ${Object.keys(presets).join(', ')}); started from the defaults.`,
    });
    return { config: defaultConfig, preset: null };
  }
  return { config: presetBaseline(name), preset: name };
}

/** A preset as a full config; a broken preset (a bug, caught by tests) degrades to the defaults. */
function presetBaseline(name: PresetName): ExperimentConfig {
  const parsed = experimentConfigSchema.safeParse(presets[name].config);
  return parsed.success ? parsed.data : defaultConfig;
}

interface FieldRead {
  readonly value: string | number;
  readonly notice: UrlNotice | null;
}

function readField(
  field: UrlField,
  text: string,
  fallback: string | number,
  fallbackLabel: string,
): FieldRead {
  const kept = `kept ${fallbackLabel} (${formatValue(fallback)})`;
  if (field.kind === 'enum') {
    if (field.values.includes(text)) return { value: text, notice: null };
    return {
      value: fallback,
      notice: badValue(field.key, text, `expected one of ${field.values.join(', ')}; ${kept}`),
    };
  }
  const parsed = parseNumber(text);
  if (parsed === null) {
    return { value: fallback, notice: badValue(field.key, text, `expected a number; ${kept}`) };
  }
  const rounded = field.kind === 'int' ? canonicalZero(Math.round(parsed)) : parsed;
  const value = Math.min(field.max, Math.max(field.min, rounded));
  if (value !== rounded) {
    const side =
      rounded > field.max ? `above the maximum ${field.max}` : `below the minimum ${field.min}`;
    return {
      value,
      notice: {
        key: field.key,
        kind: 'clamped',
        message: `${field.key}=${show(text)} is ${side}; set to ${formatValue(value)}.`,
      },
    };
  }
  if (value !== parsed) {
    return {
      value,
      notice: {
        key: field.key,
        kind: 'rounded',
        message: `${field.key} is a whole number; ${show(text)} was rounded to ${formatValue(value)}.`,
      },
    };
  }
  return { value, notice: null };
}

function parseNumber(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? canonicalZero(value) : null;
}

/** -0 prints as "0" and means nothing physical; keeping it would make configs differ invisibly. */
function canonicalZero(value: number): number {
  return value === 0 ? 0 : value;
}

/**
 * The real world's physical params: the starting ones (a preset's), then the link's. Each must be
 * a param the env lets users perturb, within the env's sensible range; checked against the FINAL
 * env, since `env=` may have replaced the preset's.
 */
function resolveRealParams(
  spec: EnvSpec,
  startParams: Readonly<Record<string, number>>,
  preset: PresetName | null,
  overrides: ReadonlyMap<string, string>,
  notices: UrlNotice[],
): Record<string, number> {
  const resolved: Record<string, number> = {};
  const accept = (name: string, value: number, key: string, valueText: string): void => {
    // Only names checked to be the env's own params are ever written, so `__proto__` cannot be.
    if (!Object.hasOwn(spec.paramRanges, name) || !Object.hasOwn(spec.defaultParams, name)) {
      const perturbable = Object.keys(spec.paramRanges).join(', ');
      notices.push({
        key,
        kind: 'unknown-param',
        message: `${spec.id} has no real-world parameter ${show(name)} to change (it has ${perturbable}); ignored.`,
      });
      return;
    }
    const [min, max] = spec.paramRanges[name];
    const clamped = Math.min(max, Math.max(min, value));
    if (clamped !== value) {
      const side = value > max ? `above the maximum ${max}` : `below the minimum ${min}`;
      notices.push({
        key,
        kind: 'clamped',
        message: `${key}=${show(valueText)} is ${side} for ${spec.id}; set to ${formatValue(clamped)}.`,
      });
    }
    resolved[name] = clamped;
  };

  for (const [name, value] of Object.entries(startParams)) {
    const key = shorten(REAL_PARAM_PREFIX + name);
    if (Object.hasOwn(spec.paramRanges, name)) accept(name, value, key, formatValue(value));
    else {
      notices.push({
        key,
        kind: 'unknown-param',
        message: `Preset ${preset ?? '(none)'}'s real-world ${show(name)} does not apply to ${spec.id}; ignored.`,
      });
    }
  }
  for (const [name, text] of overrides) {
    const key = shorten(REAL_PARAM_PREFIX + name);
    const value = parseNumber(text);
    if (value === null) {
      const startValue = Object.hasOwn(resolved, name)
        ? `kept ${formatValue(resolved[name])}`
        : 'ignored';
      notices.push(badValue(key, text, `expected a number; ${startValue}`));
    } else {
      accept(name, value, key, text);
    }
  }
  return resolved;
}

function readHide(text: string, notices: UrlNotice[]): ControlGroup[] {
  const hidden: ControlGroup[] = [];
  for (const group of text.split(',')) {
    if (group.length === 0 || hidden.includes(group as ControlGroup)) continue;
    if (isControlGroup(group)) hidden.push(group);
    else {
      notices.push(
        badValue(
          HIDE_KEY,
          group,
          `the control groups are ${controlGroups.join(', ')}; this one was ignored`,
        ),
      );
    }
  }
  return hidden;
}

/**
 * `lesson=ID` opens a lesson at its start, `lesson=ID.N` at its N-th step (1-based, as the panel
 * numbers them). `ID:K` (0-based) is the first format's, still read so its links keep working.
 */
function readLesson(text: string, notices: UrlNotice[]): LessonRef | null {
  const separatorAt = text.search(/[.:]/);
  const id = separatorAt >= 0 ? text.slice(0, separatorAt) : text;
  if (!LESSON_ID.test(id)) {
    notices.push(
      badValue(
        LESSON_KEY,
        text,
        'a lesson is named by letters, digits, - and _ (lesson=ID or ID.STEP); no lesson opened',
      ),
    );
    return null;
  }
  if (separatorAt < 0) return { id, step: 0 };
  const oneBased = text[separatorAt] === '.';
  const stepText = text.slice(separatorAt + 1);
  if (!LESSON_STEP.test(stepText) || (oneBased && Number(stepText) === 0)) {
    const what =
      stepText.length > LESSON_STEP_DIGITS && /^\d+$/.test(stepText)
        ? `a whole number${oneBased ? ' from 1' : ''} of at most ${LESSON_STEP_DIGITS} digits`
        : `a whole number${oneBased ? ' from 1' : ''}`;
    notices.push(
      badValue(
        LESSON_KEY,
        text,
        `the step after "${text[separatorAt]}" is ${what}; opened lesson ${id} at its start`,
      ),
    );
    return { id, step: 0 };
  }
  return { id, step: Number(stepText) - (oneBased ? 1 : 0) };
}

function readSeeds(text: string, notices: UrlNotice[]): number {
  const parsed = parseNumber(text);
  if (parsed === null) {
    notices.push(
      badValue(SEEDS_KEY, text, `expected a number of seeds from 1 to ${MAX_SEEDS}; ran 1`),
    );
    return 1;
  }
  const whole = Number.isInteger(parsed);
  const inRange = parsed >= 1 && parsed <= MAX_SEEDS;
  const seeds = Math.min(MAX_SEEDS, Math.max(1, Math.round(parsed)));
  if (!whole || !inRange) {
    const range = `from 1 to ${MAX_SEEDS}`;
    const what = whole
      ? `not ${range}`
      : inRange
        ? 'not a whole number'
        : `neither a whole number nor ${range}`;
    notices.push({
      key: SEEDS_KEY,
      kind: seeds === Math.round(parsed) ? 'rounded' : 'clamped',
      message: `${SEEDS_KEY}=${show(text)} is ${what}; set to ${seeds}.`,
    });
  }
  return seeds;
}

/**
 * `cmp=obj:mnm,width:64;steps:50`: variants separated by ',' (here two: B changes obj, C changes
 * width and steps), each a ';'-list of KEY:VALUE with the link's own keys and the same checks as
 * the link's pairs. A variant's bad value drops that override (the variant keeps the base's
 * value) rather than the variant; a variant left with nothing to change would only run a copy of
 * the base, so it is dropped, as are empty ones (`cmp=,,`), with a notice.
 */
function readCompare(
  text: string,
  base: ExperimentConfig,
  notices: UrlNotice[],
): VariantOverrides[] {
  const isEmpty = (variantText: string) => variantText.split(';').every((item) => item === '');
  const written = text.split(',');
  const empty = written.filter(isEmpty).length;
  if (text === '') {
    notices.push(badValue(COMPARE_KEY, '', 'no variant was added'));
  } else if (empty > 0) {
    notices.push({
      key: COMPARE_KEY,
      kind: 'bad-value',
      message:
        `${COMPARE_KEY}=${show(text)} has ${empty === 1 ? 'an empty variant' : `${empty} empty variants`} ` +
        `(nothing between its commas); ${empty === 1 ? 'it was' : 'they were'} dropped.`,
    });
  }
  const variants: VariantOverrides[] = [];
  const nonEmpty = written.filter((variantText) => !isEmpty(variantText));
  for (const [index, variantText] of nonEmpty.entries()) {
    if (variants.length === MAX_VARIANTS) {
      notices.push(
        badValue(
          COMPARE_KEY,
          nonEmpty.slice(index).join(','),
          `at most ${MAX_VARIANTS} variants run beside the config; the rest were ignored`,
        ),
      );
      break;
    }
    const label = `compare variant ${String.fromCharCode(66 + index)}`;
    const overrides = readVariant(variantText, label, base, notices);
    if (Object.keys(overrides).length > 0) variants.push(overrides);
    else {
      notices.push({
        key: COMPARE_KEY,
        kind: 'bad-value',
        message: `C${label.slice(1)} was left with nothing to change, so it was dropped.`,
      });
    }
  }
  return variants;
}

function readVariant(
  variantText: string,
  label: string,
  base: ExperimentConfig,
  notices: UrlNotice[],
): VariantOverrides {
  const overrides: Partial<Record<string, string | number>> = {};
  const seen = new Set<string>();
  for (const item of variantText.split(';')) {
    if (item.length === 0) continue;
    const colonAt = item.indexOf(':');
    const key = colonAt >= 0 ? item.slice(0, colonAt) : item;
    const field = variantField(key);
    if (field === undefined || colonAt < 0) {
      const why = (SHARED_KEYS as readonly string[]).includes(key)
        ? `${key} is shared by every variant and cannot differ; ignored`
        : colonAt < 0
          ? "write each change as KEY:VALUE with the link's keys; ignored"
          : `${show(key)} is not a setting a variant can change; ignored`;
      notices.push(badValue(COMPARE_KEY, item, `in ${label}, ${why}`));
      continue;
    }
    if (seen.has(key)) {
      notices.push({
        key: COMPARE_KEY,
        kind: 'duplicate',
        message: `In ${label}, ${key} appears more than once; the last one was used.`,
      });
    }
    seen.add(key);
    const read = readField(
      field,
      item.slice(colonAt + 1),
      readLeaf(base, field),
      "the base's value",
    );
    if (read.notice !== null) {
      notices.push({
        ...read.notice,
        key: COMPARE_KEY,
        message: `In ${label}: ${read.notice.message}`,
      });
      if (read.notice.kind === 'bad-value') {
        delete overrides[key];
        continue;
      }
    }
    overrides[key] = read.value;
  }
  return overrides as VariantOverrides;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function cloneConfig(config: ExperimentConfig): ExperimentConfig {
  // The config is plain JSON by contract (it crosses the worker boundary), so this is exact.
  return JSON.parse(JSON.stringify(config)) as ExperimentConfig;
}

/**
 * Hostile links can hold kilobytes of control characters: a notice quotes a short piece, and
 * JSON-escapes it unless it is plain text a user would have typed.
 */
function show(text: string): string {
  const short = shorten(text);
  return /^[\w.:,+-]+$/.test(short) ? short : JSON.stringify(short);
}

function shorten(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function badValue(rawKey: string, value: string, why: string): UrlNotice {
  const key = shorten(rawKey);
  const shown = value === '' ? `${key} has no value` : `${key}=${show(value)} is not valid`;
  return { key, kind: 'bad-value', message: `${shown}: ${why}.` };
}

function unknownKey(key: string): UrlNotice {
  const suggestion = knownKeysByLowerCase.get(key.toLowerCase());
  const hint = suggestion !== undefined && suggestion !== key ? ` Did you mean ${suggestion}?` : '';
  return {
    key: shorten(key),
    kind: 'unknown-key',
    message: `The link's setting ${show(key)} is not one this app knows; it was ignored.${hint}`,
  };
}

function duplicate(rawKey: string, count: number, lastValue: string): UrlNotice {
  const key = shorten(rawKey);
  return {
    key,
    kind: 'duplicate',
    message: `${key} appears ${count} times in the link; the last one (${key}=${show(lastValue)}) was used.`,
  };
}
