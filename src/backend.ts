/**
 * The tfjs backend: `auto` tries WebGPU, WebGL, WASM and CPU in that order, times a short
 * calibration of the real workload on each that starts, and keeps the fastest; a forced choice
 * runs on that backend alone. A backend that fails to start is skipped and its error kept for
 * the user; nothing here throws for want of a backend while the CPU one exists.
 *
 * No Node imports (the engine runs in a worker and in Node alike): in the browser pass
 * `wasmPaths` ('/tfjs-wasm/', where vite copies the binaries); in Node the WASM backend finds its
 * binaries in node_modules by itself.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// Registers 'webgpu' where navigator.gpu exists; a no-op elsewhere (Node, old browsers).
import '@tensorflow/tfjs-backend-webgpu';

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendPreference = 'auto' | BackendName;

export interface BackendOptions {
  readonly preference?: BackendPreference;
  /**
   * The real workload at the configured sizes (one fit step and one rollout): run once to warm
   * up (shader compilation, weight packing), then timed for about `calibrationMs`. Between its
   * pieces of work it should call `overBudget()` and, when true, throw `CalibrationStopped`: the
   * backend has already taken longer than another's whole calibration allows (see initBackend).
   */
  readonly calibrate?: (overBudget: () => boolean) => Promise<void>;
  readonly calibrationMs?: number;
  /** What `calibrate` runs, in words, for the reason ('the calibration workload' unless told). */
  readonly calibrationName?: string;
  /** Browser only: the URL prefix the WASM binaries are served from. */
  readonly wasmPaths?: string;
  /**
   * Backends that failed mid-run earlier in this thread, with their error: not started again
   * (a lost GPU device stays lost for the backend instance that held it).
   */
  readonly avoid?: ReadonlyMap<string, string>;
}

export interface BackendChoice {
  readonly backend: BackendName;
  /** One sentence for the user: why this backend. */
  readonly reason: string;
  /** Mean ms per calibration run, for each backend that started and was timed. */
  readonly timings: Partial<Record<BackendName, number>>;
  /** The error of each backend that was tried and failed to start or to run the workload. */
  readonly failures: Partial<Record<BackendName, string>>;
  /** How imagined gradient steps run on it ('fused WGSL', 'tfjs kernels'), once a config says. */
  readonly imagination?: string;
}

/** Thrown by a calibration workload that saw `overBudget()`: this backend is the slower one. */
export class CalibrationStopped extends Error {
  constructor() {
    super('calibration stopped: over its time budget');
    this.name = 'CalibrationStopped';
  }
}

/**
 * The order auto times backends in. WASM first: it compiles nothing and is the dependable CPU
 * path, so its whole calibration sets the budget of the others. Measured in headless Chromium
 * (docs/BENCHMARKS.md), a GPU emulated on the CPU (SwiftShader) took 8–16 s over its first
 * calibration run on the exploit preset and the default config, WASM 0.2–2.7 s, and the pure-JS
 * CPU backend ran the workload 7–11× slower than WASM.
 */
const CALIBRATION_ORDER: readonly BackendName[] = ['wasm', 'webgpu', 'webgl', 'cpu'];

/**
 * A backend whose calibration has taken this many times the quickest whole calibration so far
 * (warm-up included) is stopped and left out: a backend that fast at steady state would have to
 * have spent nearly all of that on one-time costs, and waiting longer costs the user the run.
 */
const OVER_BUDGET_FACTOR = 2;

/**
 * Each backend is timed in TRIES turns (the later ones alternating between backends) and keeps its
 * best; another backend displaces the expected fastest only by running CLEAR_MARGIN× as fast in
 * every try. Once, a lab run chose CPU over WASM ("165 ms vs wasm 212 ms") while another job ran,
 * then took 53 s an iteration instead of 5.
 */
const TRIES = 3;
const CLEAR_MARGIN = 1.2;

let wasmPathsSet = false;

export async function initBackend(options: BackendOptions = {}): Promise<BackendChoice> {
  const preference = options.preference ?? 'auto';
  if (options.wasmPaths !== undefined && !wasmPathsSet) {
    setWasmPaths(options.wasmPaths);
    wasmPathsSet = true;
  }
  const failures: Partial<Record<BackendName, string>> = {};
  const timings: Partial<Record<BackendName, number>> = {};
  const avoid = options.avoid ?? new Map<string, string>();
  const start = (name: BackendName): Promise<string | null> => {
    const earlier = avoid.get(name);
    return earlier === undefined ? startBackend(name) : Promise.resolve(`failed mid-run earlier: ${earlier}`);
  };

  if (preference !== 'auto') {
    const error = await start(preference);
    if (error === null) return { backend: preference, reason: `${preference}, as chosen`, timings, failures };
    failures[preference] = error;
    const fallback = await firstThatStarts(BACKENDS.filter((name) => name !== preference), failures, start);
    return {
      backend: fallback,
      reason: `${preference} failed to start (${error}); fell back to ${fallback}`,
      timings,
      failures,
    };
  }

  const started: BackendName[] = [];
  const stopped: BackendName[] = [];
  /** Each started backend's ms per run, one entry per try (the first after its warm-up). */
  const tries = new Map<BackendName, number[]>();
  const tryMs = (options.calibrationMs ?? 300) / TRIES;
  let quickest: { name: BackendName; ms: number } | null = null;
  // Without a calibration the first that starts is taken, in the usual order.
  for (const name of options.calibrate === undefined ? BACKENDS : CALIBRATION_ORDER) {
    const error = await start(name);
    if (error !== null) {
      failures[name] = error;
      continue;
    }
    if (options.calibrate === undefined) {
      return { backend: name, reason: `${name}: the first backend that started (no calibration asked)`, timings, failures };
    }
    if (name === 'webgpu' && (await webgpuFallbackAdapter())) {
      failures[name] = `not timed: ${FALLBACK_ADAPTER}`;
      continue;
    }
    const begin = now();
    const limit = quickest === null ? Infinity : OVER_BUDGET_FACTOR * quickest.ms;
    try {
      tries.set(name, [await timeWorkload(options.calibrate, tryMs, () => now() - begin > limit, true)]);
      started.push(name);
      const ms = now() - begin;
      if (quickest === null || ms < quickest.ms) quickest = { name, ms };
    } catch (caught) {
      if (caught instanceof CalibrationStopped && quickest !== null) {
        stopped.push(name);
        failures[name] =
          `not timed to the end: stopped after ${format(now() - begin)}, over ${OVER_BUDGET_FACTOR}× ` +
          `the whole calibration of ${quickest.name} (${format(quickest.ms)}), so slower on this workload`;
      } else {
        failures[name] = `calibration failed: ${message(caught)}`;
      }
    }
  }
  if (started.length === 0) {
    const fallback = await firstThatStarts(['cpu'], failures, start);
    return { backend: fallback, reason: 'no backend ran the calibration; using cpu', timings, failures };
  }
  // The later tries take turns, so a burst of load from another program falls on every backend.
  const calibrate = options.calibrate;
  if (calibrate !== undefined && started.length > 1) {
    for (let attempt = 1; attempt < TRIES; attempt++) {
      for (const name of [...started]) {
        try {
          if ((await start(name)) !== null) throw new Error('failed to restart');
          tries.get(name)?.push(await timeWorkload(calibrate, tryMs, () => false, false));
        } catch (caught) {
          started.splice(started.indexOf(name), 1);
          tries.delete(name);
          failures[name] = `calibration failed: ${message(caught)}`;
        }
      }
    }
  }
  for (const name of started) timings[name] = Math.min(...(tries.get(name) ?? [Infinity]));
  const { chosen, note } = preferred(started, tries);
  const error = await start(chosen);
  if (error !== null) throw new Error(`initBackend: ${chosen} ran the calibration but failed to restart: ${error}`);
  const others = [
    ...started.filter((name) => name !== chosen).map((name) => `${name} ${format(timings[name])}`),
    ...stopped.map((name) => `${name} stopped early, slower`),
  ];
  const reason =
    `${chosen}: ${note} on ${options.calibrationName ?? 'the calibration workload'} (best of ${TRIES}: ${format(timings[chosen])}` +
    (others.length > 0 ? ` vs ${others.join(', ')})` : ', the only one that started)');
  return { backend: chosen, reason, timings, failures };
}

/**
 * The backend first in CALIBRATION_ORDER (the one expected fastest here), unless another beat it
 * by CLEAR_MARGIN in every try: one slow try (another job, a GC) never moves the choice. Among
 * several that did, the one with the best try.
 */
function preferred(started: readonly BackendName[], tries: ReadonlyMap<BackendName, number[]>): { chosen: BackendName; note: string } {
  const first = started[0];
  const baseline = tries.get(first) ?? [];
  const winners = started.filter((name) => {
    const own = tries.get(name) ?? [];
    return name !== first && own.length === baseline.length && own.every((ms, i) => ms * CLEAR_MARGIN < baseline[i]);
  });
  if (winners.length === 0) {
    return { chosen: first, note: started.length > 1 ? `kept (no other was ${CLEAR_MARGIN}× as fast in every try)` : 'fastest' };
  }
  const best = (name: BackendName) => Math.min(...(tries.get(name) ?? [Infinity]));
  const chosen = winners.reduce((a, b) => (best(b) < best(a) ? b : a));
  return { chosen, note: `fastest, ${CLEAR_MARGIN}× as fast as ${first} or more in every try` };
}

/**
 * After `failed` broke mid-run: switches to the next backend in BACKENDS order that starts
 * (those after it first, then those before it), skipping every backend in `avoid` (which should
 * hold `failed`). Returns it, or null with each one's reason in `failures` if none would start.
 */
export async function fallBackFrom(
  failed: BackendName,
  avoid: ReadonlyMap<string, string>,
): Promise<{ backend: BackendName | null; failures: Partial<Record<BackendName, string>> }> {
  const at = BACKENDS.indexOf(failed);
  const order = [...BACKENDS.slice(at + 1), ...BACKENDS.slice(0, at)];
  const failures: Partial<Record<BackendName, string>> = {};
  for (const name of order) {
    const earlier = avoid.get(name);
    const error = earlier === undefined ? await startBackend(name) : `failed mid-run earlier: ${earlier}`;
    if (error === null) return { backend: name, failures };
    failures[name] = error;
  }
  return { backend: null, failures };
}

/** The choice to show once `failed` broke mid-run and the engine went on with `next`. */
export function choiceAfterFallback(choice: BackendChoice, failed: string, next: BackendName, error: string): BackendChoice {
  return {
    backend: next,
    reason: `${failed} failed mid-run (${error}); continued on ${next}`,
    timings: choice.timings,
    failures: { ...choice.failures, ...(isBackendName(failed) ? { [failed]: `failed mid-run: ${error}` } : {}) },
  };
}

export function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

const FALLBACK_ADAPTER =
  'its adapter is a fallback adapter (WebGPU in software on the CPU, e.g. SwiftShader), slower than WASM on the same CPU, and its first calibration piece alone took 7 s on the exploit preset (docs/BENCHMARKS.md)';

/**
 * Whether the WebGPU adapter is a fallback adapter: the spec's flag for an implementation in
 * software "with significant performance caveats". tfjs does not keep its adapter, so one is asked
 * for again (as tfjs asks); outside a browser there is no navigator.gpu and the answer is no.
 */
async function webgpuFallbackAdapter(): Promise<boolean> {
  interface Adapter {
    readonly isFallbackAdapter?: boolean;
    readonly info?: { readonly isFallbackAdapter?: boolean };
  }
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(options?: object): Promise<Adapter | null> } } }).navigator?.gpu;
  if (gpu === undefined) return false;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    return adapter?.info?.isFallbackAdapter ?? adapter?.isFallbackAdapter ?? false;
  } catch {
    return false;
  }
}

/** Switches to a backend; returns null on success, else why it could not start. */
async function startBackend(name: BackendName): Promise<string | null> {
  try {
    if (tf.findBackendFactory(name) === null && tf.findBackend(name) === null) {
      return `not available in this environment (${name === 'webgpu' ? 'no navigator.gpu' : 'not registered'})`;
    }
    const ok = await tf.setBackend(name);
    if (!ok) return 'failed to initialise (see the console for the backend error)';
    await tf.ready();
    return null;
  } catch (caught) {
    return message(caught);
  }
}

async function firstThatStarts(
  names: readonly BackendName[],
  failures: Partial<Record<BackendName, string>>,
  start: (name: BackendName) => Promise<string | null>,
): Promise<BackendName> {
  for (const name of names) {
    const error = await start(name);
    if (error === null) return name;
    failures[name] = error;
  }
  throw new Error(`initBackend: no tfjs backend could start (${JSON.stringify(failures)})`);
}

/** Mean ms per run over about `budgetMs` (at least one run), after one warm-up run if asked. */
async function timeWorkload(
  workload: (overBudget: () => boolean) => Promise<void>,
  budgetMs: number,
  overBudget: () => boolean,
  warmUp: boolean,
): Promise<number> {
  if (warmUp) await workload(overBudget);
  let runs = 0;
  const begin = now();
  do {
    await workload(overBudget);
    runs++;
  } while (now() - begin < budgetMs);
  return (now() - begin) / runs;
}

function now(): number {
  // tf.util.now: performance.now in browsers and workers, process.hrtime in Node.
  return tf.util.now();
}

function format(ms: number | undefined): string {
  return ms === undefined ? '?' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
}

function message(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}
