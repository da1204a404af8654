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
