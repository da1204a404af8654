/** Shared by the loop tests: a tiny config, and a run collected into plain arrays. */
import * as tf from '@tensorflow/tfjs';
import { parseConfig } from '../../src/config/parse';
import type { ExperimentConfig, ExperimentConfigInput } from '../../src/config/schema';
import { runExperiment, type ExperimentHooks } from '../../src/experiment';
import type { ExperimentEvent, IterationReport } from '../../src/report';

/** Small everywhere: one iteration takes a few tenths of a second on WASM. */
export const TINY: ExperimentConfigInput = {
  seed: 3,
  iterations: 2,
  backend: 'wasm',
  env: { id: 'Pendulum-v1' },
  data: { initialRandomSteps: 50, realStepsPerIteration: 20, bufferSize: 1_000 },
  model: { ensembleSize: 2, width: 16, depth: 1, trainStepsPerIteration: 8, batchSize: 32 },
  imagination: { rollouts: 16, horizon: 5 },
  optimiser: { kind: 'gradient', stepsPerIteration: 4, policyWidth: 8, policyDepth: 1 },
  evaluation: { episodes: 2, episodeLength: 30 },
};

/** TINY with sections merged one level deep, validated. */
export function tinyConfig(
  overrides: Partial<Record<keyof ExperimentConfigInput, unknown>> = {},
): ExperimentConfig {
  const merged: Record<string, unknown> = { ...TINY };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] =
      typeof value === 'object' && value !== null && typeof base === 'object' && base !== null
        ? { ...base, ...value }
        : value;
  }
  const parsed = parseConfig(merged);
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed.problems)}`);
  return parsed.config;
}

export interface CollectedRun {
  readonly events: ExperimentEvent[];
  readonly reports: IterationReport[];
  /** tf.memory().numTensors right after each report was received. */
  readonly tensorsAfterReport: number[];
}

export async function collectRun(
  config: ExperimentConfig,
  hooks: ExperimentHooks = {},
): Promise<CollectedRun> {
  const events: ExperimentEvent[] = [];
  const reports: IterationReport[] = [];
  const tensorsAfterReport: number[] = [];
  for await (const event of runExperiment(config, hooks)) {
    events.push(event);
    if (event.kind === 'report') {
      reports.push(event.report);
      tensorsAfterReport.push(tf.memory().numTensors);
    }
  }
  return { events, reports, tensorsAfterReport };
}

/** Every number in a plain object tree, with its dotted path. */
export function numbersIn(value: unknown, path = ''): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => numbersIn(item, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) =>
      numbersIn(item, path === '' ? key : `${path}.${key}`),
    );
  }
  return [];
}

/** A report without its wall-clock fields, which no two runs share. */
export function withoutTimings(
  report: IterationReport,
): Omit<IterationReport, 'seconds' | 'timings'> {
  const { seconds: _seconds, timings: _timings, ...rest } = report;
  return rest;
}
