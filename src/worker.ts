/**
 * The engine's Web Worker: the app posts `start` with the configs to compare and a number of
 * seeds, then `pause`, `resume`, `step` and `stop`; the worker posts the backend it chose, phase
 * progress and one report per iteration of every lane (config × seed), each config's bands over
 * its seeds, and any error (with the lane and stage it happened in) instead of dying silently.
 *
 * The lanes take turns in one InterleavedRun (src/run/interleavedRun.ts), which owns pausing,
 * stepping and freeing the tensors; this file is the message glue around it.
 */
// First, before any schema parses: no eval under the site's Content-Security-Policy.
import './config/zodWithoutEval';
import { choiceAfterFallback, isBackendName, type BackendChoice } from './backend';
import { assertWithinMemoryBudget } from './config/resourceEstimate';
import type { ExperimentConfig } from './config/schema';
import { oracleRequestFor, runExperiment, type ExperimentHooks } from './experiment';
import { calibrationKey, experimentCalibration, initBackendFor } from './experimentCalibration';
import type { OracleAnswer } from './oracleWorker';
import { oracleKey, runOracleFor, type OracleRequest, type OracleRun } from './policies/oracle';
import { InterleavedRun } from './run/interleavedRun';
import { expandLanes, laneSeed, type Lane } from './run/lanes';
import { SeedBandCollector } from './run/seedBandCollector';
import {
  HEARTBEAT_MS,
  toWorkerSchema,
  type FromWorker,
  type LaneId,
  type RunStatus,
  type StartMessage,
} from './workerProtocol';

// tsconfig.worker.json gives this file the WebWorker lib; the rest of the engine sees neither it nor the DOM.
declare const self: DedicatedWorkerGlobalScope;
const scope = self;

const WASM_PATHS = '/tfjs-wasm/';

function post(message: FromWorker): void {
  scope.postMessage(message);
}

// ---------------------------------------------------------------------------------------------
// The backend: chosen once per preference (and, under auto, per calibration workload), kept for
// the next runs.

let backend: { key: string; choice: Promise<BackendChoice> } | null = null;
/** Settles when the last choice begun has: choices run one at a time (each sets tfjs's backend). */
let choosing: Promise<unknown> = Promise.resolve();
/** The choice in use, once made; a fallback mid-run replaces it. */
let inUse: BackendChoice | null = null;

/**
 * Backends that failed mid-run in this worker, with their error: every lane and every later run
 * avoids them (a lost GPU device stays lost for the backend instance that held it).
 */
const failedBackends = new Map<string, string>();

/** Under auto, times the run's own workload (experimentCalibration.ts), as the lab does. */
function chooseBackend(config: ExperimentConfig): Promise<BackendChoice> {
  // A knob that does not change the timed work (a learning rate, a seed count) keeps the choice.
  const key = config.backend === 'auto' ? `auto ${calibrationKey(config)}` : config.backend;
  if (backend !== null && backend.key === key) return backend.choice;
  const choice = choosing.then(async () => {
    const made = await initBackendFor(config, {
      wasmPaths: WASM_PATHS,
      calibrationMs: 150,
      avoid: failedBackends,
    });
    if (Object.keys(made.timings).length === 0) await warmUp(config);
    return made;
  });
  choosing = choice.catch(() => undefined);
  backend = { key, choice };
  // A failed choice is not cached: the next start tries again.
  choice.catch(() => {
    if (backend?.choice === choice) backend = null;
  });
  return choice;
}

/**
 * One run of the calibration workload on a backend chosen without timing it: the JIT, the WASM
 * kernels' optimised tier and the heap's growth are paid before Play, not by the first iteration
 * (`auto` pays them while it times). Silent on failure: the run meets and reports the same.
 */
async function warmUp(config: ExperimentConfig): Promise<void> {
  try {
    await experimentCalibration(config)();
  } catch {
    // The run reports it.
  }
}

// ---------------------------------------------------------------------------------------------
// The run: its lanes take turns; this keeps the one that is current.

interface Run {
  readonly id: number;
  readonly lanes: InterleavedRun;
  /** Resolves when every lane has ended and its generator is closed. */
  finished: Promise<void>;
  /** Set once `finished` has resolved: no more heartbeats for it. */
  over: boolean;
}

let current: Run | null = null;

/**
 * The oracle's run costs seconds and depends only on the world (env, physics, start states,
 * episode length): kept across runs so a restart, a new seed or a compared config on the same
 * world does not pay for it again.
 */
type OracleCache = NonNullable<ExperimentHooks['oracleCache']>;
const oracleCache: OracleCache = new Map();
const ORACLE_CACHE_LIMIT = 8;

/**
 * The oracle's runs are made in a worker of their own (oracleWorker.ts), on the other core, so
 * the first report never waits for them; each arrives once per world (kept in `oracleCache`
 * when it does). If that worker cannot start or dies, the run is made here.
 */
const oracles = (() => {
  let worker: Worker | null = null;
  let next = 0;
  const pending = new Map<number, { resolve: (run: OracleRun) => void; reject: (error: Error) => void; request: OracleRequest }>();
  const inFlight = new Map<string, Promise<OracleRun>>();
  const makeHere = () => {
    for (const [id, waiting] of pending) {
      pending.delete(id);
      try {
        waiting.resolve(runOracleFor(waiting.request));
      } catch (caught) {
        waiting.reject(caught instanceof Error ? caught : new Error(String(caught)));
      }
    }
  };
  const start = (): Worker | null => {
    if (worker !== null) return worker;
    try {
      worker = new Worker(new URL('./oracleWorker.ts', import.meta.url), { type: 'module' });
    } catch {
      return null;
    }
    worker.onmessage = (event: MessageEvent<OracleAnswer>) => {
      const waiting = pending.get(event.data.id);
      if (waiting === undefined) return;
      pending.delete(event.data.id);
      if ('run' in event.data) waiting.resolve(event.data.run);
      else waiting.reject(new Error(event.data.error));
    };
    worker.onerror = () => {
      worker?.terminate();
      worker = null;
      makeHere();
    };
    return worker;
  };
  return (request: OracleRequest): Promise<OracleRun> => {
    const key = oracleKey(request);
    const known = inFlight.get(key);
    if (known !== undefined) return known;
    const run = new Promise<OracleRun>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject, request });
      const helper = start();
      if (helper === null) makeHere();
      else helper.postMessage({ id, request });
    });
    inFlight.set(key, run);
    // Once settled it lives on in oracleCache (or, failed, may be asked again).
    const settle = () => inFlight.delete(key);
    run.then(settle, settle);
    return run;
  };
})();

/** Lets queued messages (pause, stop) in between two events: the loop is otherwise all microtasks. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function setStatus(runId: number, status: RunStatus): void {
  post({ type: 'status', runId, status });
}

function messageOf(caught: unknown): string {
  if (caught instanceof Error) return caught.message || caught.name;
  return String(caught);
}

function laneId(lane: Lane): LaneId {
  return { variant: lane.variant, seedIndex: lane.seedIndex };
}

/**
 * Within a phase, its progress is posted at most this often (a new phase at once): the page
 * redraws its progress bar for each message, and a phase's steps can come 30–40 times a second.
 */
const PROGRESS_INTERVAL_MS = 100;

function createRun(start: StartMessage): Run {
  const { runId } = start;
  const lastProgress = new Map<string, { step: string; at: number }>();
  const progressDue = (lane: Lane, iteration: number, phase: string) => {
    const key = `${lane.variant}/${lane.seedIndex}`;
    const step = `${iteration}/${phase}`;
    const last = lastProgress.get(key);
    const now = performance.now();
    if (last !== undefined && last.step === step && now - last.at < PROGRESS_INTERVAL_MS)
      return false;
    lastProgress.set(key, { step, at: now });
    return true;
  };
  const bands = new SeedBandCollector(start.variants.length, start.seeds);
  const postBands = (variant: number, ready: ReturnType<SeedBandCollector['add']>) => {
    for (const iterationBands of ready) {
      post({ type: 'bands', runId, variant, bands: iterationBands });
    }
  };
  const lanes = new InterleavedRun(
    expandLanes(start.variants, start.seeds),
    (config) => runExperiment(config, { oracleCache, oracle: oracles, failedBackends }),
    {
      event(lane, event) {
        if (event.kind === 'phase' && !progressDue(lane, event.iteration, event.phase)) return;
        if (event.kind === 'backendFallback') {
          if (!isBackendName(event.backend) || inUse === null) return;
          // The engine stays on the new backend: later runs with the same choice start there.
          if (inUse.backend !== event.backend) {
            inUse = choiceAfterFallback(inUse, event.failed, event.backend, event.message);
            if (backend !== null) backend = { key: backend.key, choice: Promise.resolve(inUse) };
          }
          post({ type: 'backend', runId, choice: inUse });
        }
        post({ type: 'event', runId, lane: laneId(lane), event });
        if (event.kind === 'report') postBands(lane.variant, bands.add(lane.variant, lane.seedIndex, event.report));
      },
      laneDone(lane) {
        post({ type: 'laneDone', runId, lane: laneId(lane) });
      },
      laneFailed(lane, message, stage) {
        post({ type: 'error', runId, lane: laneId(lane), message, phase: stage });
        postBands(lane.variant, bands.fail(lane.variant, lane.seedIndex));
      },
      parked() {
        setStatus(runId, 'paused');
      },
    },
    { step: start.mode === 'step', betweenEvents: yieldToMessages },
  );
  return { id: runId, lanes, finished: Promise.resolve(), over: false };
}

async function execute(run: Run, start: StartMessage): Promise<void> {
  try {
    // Before any backend starts: runs too large for the tab would crash it rather than fail.
    assertWithinMemoryBudget(expandLanes(start.variants, start.seeds).map((lane) => lane.config));
  } catch (caught) {
    post({ type: 'error', runId: run.id, lane: null, message: messageOf(caught), phase: 'setup' });
    setStatus(run.id, 'failed');
    return;
  }
  try {
    const choice = await chooseBackend(start.variants[0]);
    if (run.lanes.isStopped) {
      setStatus(run.id, 'stopped');
      return;
    }
    inUse = choice;
    post({ type: 'backend', runId: run.id, choice });
  } catch (caught) {
    post({
      type: 'error',
      runId: run.id,
      lane: null,
      message: messageOf(caught),
      phase: 'backend',
    });
    setStatus(run.id, 'failed');
    return;
  }
  if (oracleCache.size >= ORACLE_CACHE_LIMIT) oracleCache.clear();
  setStatus(run.id, run.lanes.isPaused ? 'pausing' : 'running');
  const outcome = await run.lanes.run();
  setStatus(run.id, outcome);
}

/**
 * Chooses the backend of the config on screen before Play (the `prepare` message). Silent when it
 * fails or the config is over the memory budget: Play makes the same choice and says why.
 */
async function prepare(config: ExperimentConfig): Promise<void> {
  try {
    assertWithinMemoryBudget([config]);
    // The oracle's run too, on its own core, so that it does not share the cores with the first
    // iteration.
    const request = oracleRequestFor(config);
    const key = oracleKey(request);
    if (!oracleCache.has(key)) {
      oracles(request).then(
        (run) => oracleCache.set(key, run),
        () => undefined,
      );
    }
    post({ type: 'prepared', wanted: config.backend, choice: await chooseBackend(config) });
  } catch {
    // Play reports it.
  }
}

async function start(message: StartMessage): Promise<void> {
  const previous = current;
  if (previous !== null) {
    previous.lanes.stop();
    await previous.finished;
  }
  const run = createRun(message);
  current = run;
  setStatus(run.id, 'starting');
  run.finished = execute(run, message);
  await run.finished;
  run.over = true;
}

// Whenever the thread is free (between two events of the loop, paused, choosing a backend): a
// worker killed without an error event falls silent, which the app notices (app/engineWatchdog.ts).
setInterval(() => {
  if (current !== null && !current.over) post({ type: 'heartbeat', runId: current.id });
}, HEARTBEAT_MS);

/** Each lane's config from the compared configs: its variant's, on its own seed. */
function laneConfigs(
  variants: readonly ExperimentConfig[],
): (lane: Lane) => ExperimentConfig | undefined {
  return (lane) => {
    const variant = variants[lane.variant];
    return variant === undefined
      ? undefined
      : { ...variant, seed: laneSeed(variant.seed, lane.seedIndex) };
  };
}

scope.addEventListener('message', ({ data }: MessageEvent<unknown>) => {
  const parsed = toWorkerSchema.safeParse(data);
  if (!parsed.success) {
    const runId =
      typeof data === 'object' && data !== null && 'runId' in data && Number.isInteger(data.runId)
        ? Number(data.runId)
        : -1;
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(message)'}: ${issue.message}`)
      .join('; ');
    post({
      type: 'error',
      runId,
      lane: null,
      message: `The engine refused a malformed message: ${problems}`,
      phase: 'setup',
    });
    if (runId >= 0) setStatus(runId, 'failed');
    return;
  }
  const message = parsed.data;
  const run = current;
  switch (message.type) {
    case 'start':
      void start(message);
      return;
    case 'prepare':
      if (run === null || run.over) void prepare(message.config);
      return;
    case 'pause':
      if (run?.lanes.pause() === true) setStatus(run.id, 'pausing');
      return;
    case 'resume':
      {
        const variants = message.variants;
        const configs = variants === undefined ? undefined : laneConfigs(variants);
        if (run?.lanes.resume(configs) === true) setStatus(run.id, 'running');
      }
      return;
    case 'change':
      run?.lanes.change(laneConfigs(message.variants));
      return;
    case 'step':
      if (run?.lanes.step() === true) setStatus(run.id, 'running');
      return;
    case 'stop':
      run?.lanes.stop();
      return;
  }
});

// Whatever escapes the loop still reaches the app, never a silent death.
scope.addEventListener('error', (event) => {
  post({
    type: 'error',
    runId: current?.id ?? -1,
    lane: null,
    message: event.message || 'unknown worker error',
    phase: 'setup',
  });
});
scope.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  post({
    type: 'error',
    runId: current?.id ?? -1,
    lane: null,
    message: messageOf(event.reason),
    phase: 'setup',
  });
});
