/**
 * A run is a grid of experiments: each compared config (variant) on each of K seeds. Every
 * variant gets the same seeds — the base's seed, +1, … as the lab's `--seeds` — so the configs
 * meet the same random draws and differ only in their knobs.
 */
import type { ExperimentConfig } from '../config/schema';

export interface Lane {
  /** Which compared config: 0 is the base. */
  readonly variant: number;
  /** Which of the K seeds: 0 is the config's own seed. */
  readonly seedIndex: number;
  readonly config: ExperimentConfig;
}

/** Seeds live in [0, 2^31): one past the last wraps to 0 rather than leaving the schema's range. */
const SEED_SPACE = 2 ** 31;

export function laneSeed(baseSeed: number, seedIndex: number): number {
  return (baseSeed + seedIndex) % SEED_SPACE;
}

/**
 * Lanes in the order the worker takes turns: every variant's first seed, then every variant's
 * second, … so the seeds a learner sees first (the charts' first lines) move first.
 */
export function expandLanes(variants: readonly ExperimentConfig[], seeds: number): Lane[] {
  const lanes: Lane[] = [];
  for (let seedIndex = 0; seedIndex < seeds; seedIndex++) {
    variants.forEach((config, variant) => {
      lanes.push({
        variant,
        seedIndex,
        config: { ...config, seed: laneSeed(config.seed, seedIndex) },
      });
    });
  }
  return lanes;
}
