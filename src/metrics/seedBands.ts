/**
 * One iteration's figures over a config's seeds: the mean and its 95 % interval (Student's t,
 * meanInterval), computed in the worker so the app only draws them.
 *
 * Log-scale figures (errors, losses) are averaged as logarithms: the geometric mean with an
 * interval that is symmetric on the log axis they are drawn on and never reaches zero, where an
 * arithmetic interval over a few seeds spanning decades would go negative and could not be drawn.
 */
import {
  SERIES,
  SERIES_NAMES,
  seriesValue,
  type Band,
  type IterationBands,
  type SeriesName,
} from '../reportSeries';
import type { IterationReport } from '../report';
import { meanInterval } from './aggregate';

export function bandOf(values: readonly number[], scale: 'linear' | 'log'): Band | null {
  if (values.length === 0) return null;
  // One seed is its own figure, exactly (exp(log x) need not be x to the last bit).
  if (values.length === 1) return { mean: values[0], low: values[0], high: values[0], count: 1 };
  if (scale === 'linear') {
    const { mean, halfWidth, count } = meanInterval(values);
    return { mean, low: mean - halfWidth, high: mean + halfWidth, count };
  }
  const { mean, halfWidth, count } = meanInterval(values.map(Math.log));
  return {
    mean: Math.exp(mean),
    low: Math.exp(mean - halfWidth),
    high: Math.exp(mean + halfWidth),
    count,
  };
}

/** The bands of one iteration from each seed's report of it. */
export function bandsOverSeeds(reports: readonly IterationReport[]): IterationBands {
  if (reports.length === 0) throw new Error('bandsOverSeeds needs at least one report');
  const iteration = reports[0].iteration;
  if (reports.some((report) => report.iteration !== iteration)) {
    throw new Error('bandsOverSeeds: the reports are of different iterations');
  }
  const series = Object.fromEntries(
    SERIES_NAMES.map((name) => {
      const values = reports
        .map((report) => seriesValue(report, name))
        .filter((value): value is number => value !== null);
      return [name, bandOf(values, SERIES[name].scale)];
    }),
  ) as Record<SeriesName, Band | null>;
  return { iteration, seeds: reports.length, series };
}
