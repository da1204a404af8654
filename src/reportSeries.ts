/**
 * The figures of a report that are drawn per iteration, by name: what the charts plot, what is
 * averaged over seeds for the bands, and what a lesson quotes. One table, so the three agree.
 *
 * Plain field reads, no arithmetic: the app imports this to draw a loaded file, the worker to
 * average over seeds (src/metrics/seedBands.ts).
 */
import { classifierAccuracy, maximinFigures, type IterationReport } from './report';

/**
 * `log` figures are positive quantities spanning orders of magnitude (errors, losses): they are
 * drawn on log axes and averaged over seeds as logs. A zero or negative one cannot be drawn there
 * and is left out (null), as is anything not finite.
 */
export type SeriesScale = 'linear' | 'log';

interface SeriesSpec {
  readonly scale: SeriesScale;
  readonly read: (report: IterationReport) => number | null;
}

export const SERIES = {
  real: { scale: 'linear', read: (r) => r.returns.real },
  sim: { scale: 'linear', read: (r) => r.returns.sim },
  oracle: { scale: 'linear', read: (r) => r.returns.oracle },
  random: { scale: 'linear', read: (r) => r.returns.random },
  gap: { scale: 'linear', read: (r) => r.gap },
  bound: { scale: 'linear', read: (r) => r.bound },
  uniform: { scale: 'log', read: (r) => r.modelError.uniform },
  onPolicy: { scale: 'log', read: (r) => r.modelError.onPolicy },
  strategic: { scale: 'log', read: (r) => r.modelError.strategic },
  adversarial: { scale: 'log', read: (r) => r.modelError.adversarial },
  modelTrain: { scale: 'log', read: (r) => r.losses.modelTrain },
  modelHoldout: { scale: 'log', read: (r) => r.losses.modelHoldout },
  critic: { scale: 'log', read: (r) => r.losses.critic },
  policy: { scale: 'linear', read: (r) => r.losses.policy },
  /** MnM: the real-vs-model classifier's held-out accuracy (0.5: it cannot tell them apart). */
  classifierAccuracy: { scale: 'linear', read: (r) => classifierAccuracy(r.objective) },
  /** Stackelberg: the policy's imagined value the pessimistic model took away. */
  valueDrop: { scale: 'linear', read: (r) => maximinFigures(r.objective)?.valueDrop ?? null },
} as const satisfies Record<string, SeriesSpec>;

export type SeriesName = keyof typeof SERIES;
export const SERIES_NAMES = Object.keys(SERIES) as SeriesName[];

/** A figure's value, or null where it cannot be drawn on its scale. */
export function seriesValue(report: IterationReport, name: SeriesName): number | null {
  const spec: SeriesSpec = SERIES[name];
  const value = spec.read(report);
  if (value === null || !Number.isFinite(value)) return null;
  if (spec.scale === 'log' && value <= 0) return null;
  return value;
}

/** One figure over seeds: the mean and its 95 % interval [low, high]; all equal for one seed. */
export interface Band {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** Seeds that had the figure. */
  readonly count: number;
}

/** Every figure of one iteration over a config's seeds. */
export interface IterationBands {
  readonly iteration: number;
  /** Seeds whose report went into these bands. */
  readonly seeds: number;
  readonly series: Readonly<Record<SeriesName, Band | null>>;
}

/** A single run's figures as bands of one seed, so one run and many are drawn alike. */
export function singleRunBands(report: IterationReport): IterationBands {
  const series = Object.fromEntries(
    SERIES_NAMES.map((name) => {
      const value = seriesValue(report, name);
      return [name, value === null ? null : { mean: value, low: value, high: value, count: 1 }];
    }),
  ) as Record<SeriesName, Band | null>;
  return { iteration: report.iteration, seeds: 1, series };
}
