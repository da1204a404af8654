/**
 * The controls' layout: which knobs each group of the panel shows, in which order. Everything
 * about a knob itself (its label, hint, range, whether a change needs a new run) is in the
 * registry, src/config/knobs.ts; knobs no group names are shown under "More settings".
 */
import {
  KNOBS,
  knobByKey,
  knobByPath,
  readLeaf,
  withLeaf,
  type Knob,
  type KnobKey,
  type KnobPath,
} from '../../src/config/knobs';
import type { ExperimentConfig } from '../../src/config/schema';

export type { Knob };

export interface KnobGroup {
  readonly title: string;
  readonly knobs: readonly Knob[];
  /** The group also holds the real world's physical parameters. */
  readonly realWorld?: boolean;
  /** Shown folded until opened. */
  readonly folded?: boolean;
}

const LAYOUT: readonly { title: string; keys: readonly KnobKey[]; realWorld?: boolean }[] = [
  { title: 'Environment & real world', realWorld: true, keys: ['env', 'seed', 'it'] },
  { title: 'Data', keys: ['init', 'steps', 'noise', 'buf'] },
  {
    title: 'World model & objective',
    keys: ['obj', 'ens', 'width', 'depth', 'act', 'fit', 'lr', 'mb', 'pre', 'rew', 'rnoise'],
  },
  {
    title: 'Policy & imagination',
    keys: ['opt', 'psteps', 'plr', 'B', 'H', 'gamma', 'risk', 'evep', 'evlen', 'be'],
  },
];

const placed = new Set<string>(LAYOUT.flatMap((group) => group.keys));

export const KNOB_GROUPS: readonly KnobGroup[] = [
  ...LAYOUT.map(({ title, keys, realWorld }) => ({
    title,
    realWorld,
    knobs: keys.map((key) => knobByKey(key) as Knob),
  })),
  {
    title: 'More settings',
    folded: true,
    knobs: KNOBS.filter((knob) => !placed.has(knob.key)),
  },
];

export function fieldOf(path: KnobPath): Knob {
  return knobByPath(path);
}

export function readKnob(config: ExperimentConfig, knob: Knob): string | number {
  return readLeaf(config, knob);
}

/** A copy of the config with one leaf changed. */
export function writeKnob(
  config: ExperimentConfig,
  knob: Knob,
  value: string | number,
): ExperimentConfig {
  return withLeaf(config, knob, value);
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
  field: Knob & { kind: 'int' | 'real' },
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
