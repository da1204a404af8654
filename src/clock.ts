/**
 * Wall-clock time for timings. `performance.now()` exists in every place the engine runs (Web
 * Workers, Node ≥ 16), but the engine compiles without the DOM and Node libraries, so it is
 * declared here once.
 */
declare const performance: { now(): number };

export function nowMs(): number {
  return performance.now();
}

export function secondsSince(markMs: number): number {
  return (performance.now() - markMs) / 1000;
}

/** The phases an iteration's report times. */
export type TimedPhase = 'collect' | 'fit' | 'improve' | 'evaluate';

/** Seconds spent per phase, added up by `timed` around each piece of a phase's work. */
export class PhaseClock {
  readonly seconds: Record<TimedPhase, number> = { collect: 0, fit: 0, improve: 0, evaluate: 0 };

  async timed<T>(phase: TimedPhase, work: () => Promise<T> | T): Promise<T> {
    const mark = nowMs();
    try {
      return await work();
    } finally {
      this.seconds[phase] += secondsSince(mark);
    }
  }
}
