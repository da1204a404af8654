/**
 * Gathers each seed's report of an iteration and hands out that iteration's bands once every seed
 * of the config has reported it. A seed that failed no longer holds the others back: its
 * iterations are averaged over the seeds left (each band says how many).
 */
import { bandsOverSeeds } from '../metrics/seedBands';
import type { IterationReport } from '../report';
import type { IterationBands } from '../reportSeries';

interface VariantSeeds {
  readonly byIteration: Map<number, Map<number, IterationReport>>;
  readonly failed: Set<number>;
  next: number;
}

export class SeedBandCollector {
  private readonly variants: VariantSeeds[];

  constructor(
    variantCount: number,
    private readonly seeds: number,
  ) {
    this.variants = Array.from({ length: variantCount }, () => ({
      byIteration: new Map(),
      failed: new Set(),
      next: 0,
    }));
  }

  /** Records a seed's report; returns the bands this completes, in iteration order. */
  add(variant: number, seedIndex: number, report: IterationReport): IterationBands[] {
    const state = this.variants[variant];
    let reports = state.byIteration.get(report.iteration);
    if (reports === undefined) {
      reports = new Map();
      state.byIteration.set(report.iteration, reports);
    }
    reports.set(seedIndex, report);
    return this.flush(state);
  }

  /** A seed that will report no more; returns the bands that were waiting only for it. */
  fail(variant: number, seedIndex: number): IterationBands[] {
    const state = this.variants[variant];
    state.failed.add(seedIndex);
    return this.flush(state);
  }

  private flush(state: VariantSeeds): IterationBands[] {
    const ready: IterationBands[] = [];
    for (;;) {
      const reports = state.byIteration.get(state.next);
      if (reports === undefined) return ready;
      for (let seed = 0; seed < this.seeds; seed++) {
        if (!reports.has(seed) && !state.failed.has(seed)) return ready;
      }
      ready.push(bandsOverSeeds([...reports.values()]));
      state.byIteration.delete(state.next);
      state.next++;
    }
  }
}
