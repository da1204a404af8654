/** Bands over seeds: the mean and Student-t interval per figure, logs for log-scale figures. */
import { describe, expect, it } from 'vitest';
import { bandOf, bandsOverSeeds } from '../../src/metrics/seedBands';
import type { IterationReport } from '../../src/report';
import { seriesValue, singleRunBands } from '../../src/reportSeries';
import { SeedBandCollector } from '../../src/run/seedBandCollector';

/** The drawn fields of a report; the rest of a report plays no part in bands. */
function report(iteration: number, real: number, onPolicy: number, strategic: number | null) {
  return {
    iteration,
    returns: { real, sim: real + 10, oracle: null, random: -1000 },
    gap: 10,
    bound: 5,
    modelError: { uniform: 0.1, onPolicy, strategic, adversarial: null },
    losses: { modelTrain: 0, modelHoldout: Number.NaN, policy: -3, critic: 2 },
  } as unknown as IterationReport;
}

describe('bandOf', () => {
  it('is the mean ± t·s/√n on a linear scale', () => {
    const band = bandOf([1, 2, 3], 'linear');
    const half = 4.303 / Math.sqrt(3);
    expect(band?.mean).toBe(2);
    expect(band?.low).toBeCloseTo(2 - half, 12);
    expect(band?.high).toBeCloseTo(2 + half, 12);
    expect(band?.count).toBe(3);
  });

  it('is the geometric mean with a band symmetric in log on a log scale, never reaching 0', () => {
    const band = bandOf([0.01, 1, 100], 'log');
    expect(band?.mean).toBeCloseTo(1, 12);
    // log values [-2 ln10, 0, 2 ln10]: s = 2 ln10, half-width t(2)·s/√3.
    const half = (4.303 * 2 * Math.LN10) / Math.sqrt(3);
    expect(Math.log(band?.high ?? 0)).toBeCloseTo(half, 10);
    expect(Math.log(band?.low ?? 0)).toBeCloseTo(-half, 10);
    expect(band?.low).toBeGreaterThan(0);
  });

  it('has no band for no values, and a zero-width one for one', () => {
    expect(bandOf([], 'linear')).toBeNull();
    expect(bandOf([4], 'log')).toEqual({ mean: 4, low: 4, high: 4, count: 1 });
  });
});

describe('bandsOverSeeds', () => {
  it('averages each figure over the seeds that have it', () => {
    const bands = bandsOverSeeds([report(2, -100, 0.2, 0.3), report(2, -300, 0.8, null)]);
    expect(bands.iteration).toBe(2);
    expect(bands.seeds).toBe(2);
    expect(bands.series.real?.mean).toBe(-200);
    expect(bands.series.sim?.mean).toBe(-190);
    expect(bands.series.onPolicy?.mean).toBeCloseTo(0.4, 12);
    expect(bands.series.strategic).toEqual({ mean: 0.3, low: 0.3, high: 0.3, count: 1 });
    // Not drawable: null, a zero and a NaN on a log axis.
    expect(bands.series.oracle).toBeNull();
    expect(bands.series.modelTrain).toBeNull();
    expect(bands.series.modelHoldout).toBeNull();
    expect(bands.series.policy?.mean).toBe(-3);
  });

  it('refuses reports of different iterations', () => {
    expect(() => bandsOverSeeds([report(1, 0, 1, 1), report(2, 0, 1, 1)])).toThrow();
  });

  it('gives one run the same figures as the report', () => {
    const one = report(0, -120, 0.5, 0.25);
    const bands = singleRunBands(one);
    expect(bands.series.real).toEqual({ mean: -120, low: -120, high: -120, count: 1 });
    expect(bands.series.onPolicy?.mean).toBe(seriesValue(one, 'onPolicy'));
    expect(bands.series.modelTrain).toBeNull();
  });
});

describe('SeedBandCollector', () => {
  it("hands out an iteration's bands once every seed of the config has reported it", () => {
    const collector = new SeedBandCollector(2, 3);
    expect(collector.add(0, 0, report(0, -1, 1, 1))).toEqual([]);
    expect(collector.add(0, 2, report(0, -3, 1, 1))).toEqual([]);
    // The other config's seeds do not count for this one.
    expect(collector.add(1, 1, report(0, -9, 1, 1))).toEqual([]);
    expect(collector.add(0, 0, report(1, -1, 1, 1))).toEqual([]);
    const ready = collector.add(0, 1, report(0, -2, 1, 1));
    expect(ready.map((bands) => [bands.iteration, bands.seeds, bands.series.real?.mean])).toEqual([
      [0, 3, -2],
    ]);
  });

  it('stops waiting for a seed that failed, and averages the others', () => {
    const collector = new SeedBandCollector(1, 2);
    expect(collector.add(0, 0, report(0, -10, 1, 1))).toEqual([]);
    expect(collector.add(0, 0, report(1, -20, 1, 1))).toEqual([]);
    const ready = collector.fail(0, 1);
    expect(ready.map((bands) => [bands.iteration, bands.seeds])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(collector.add(0, 0, report(2, -30, 1, 1)).map((bands) => bands.iteration)).toEqual([2]);
  });
});
