/**
 * The engine's Web Worker: the app posts `start` with a config, then `pause`, `resume`, `step`
 * and `stop`; the worker posts the backend it chose, phase progress, one report per iteration,
 * and any error (with the stage it happened in) instead of dying silently.
 *
 * Pausing is not pulling: between two events of the experiment's async generator the loop waits
 * on a gate that `resume` or `step` opens. Stopping calls the generator's `return()`, whose
 * `finally` frees every tensor of the run.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendChoice, type BackendPreference } from './backend';
import type { ExperimentConfig } from './config/schema';
import { runExperiment, type ExperimentHooks } from './experiment';
import type { ExperimentEvent, Phase } from './report';
import type { ErrorStage, FromWorker, RunMode, RunStatus, ToWorker } from './workerProtocol';

// tsconfig.worker.json gives this file the WebWorker lib; the rest of the engine sees neither it nor the DOM.
declare const self: DedicatedWorkerGlobalScope;
const scope = self;

const WASM_PATHS = '/tfjs-wasm/';

function post(message: FromWorker): void {
  scope.postMessage(message);
}

// ---------------------------------------------------------------------------------------------
// The backend: chosen once per preference, kept for the next runs.

let backend: { preference: BackendPreference; choice: Promise<BackendChoice> } | null = null;

/**
 * For `auto`, a small stand-in for the loop's work (a chain of MLP-sized matMuls read back at the
 * end): it times per-op overhead and small kernels, which is what the loop's steps are made of.
 * It is not the configured workload, and the reason shown to the user says so.
 */
async function calibrationWorkload(): Promise<void> {
  const result = tf.tidy(() => {
    let x = tf.randomUniform([256, 64], -1, 1, 'float32', 1);
    const w = tf.randomUniform([64, 64], -0.2, 0.2, 'float32', 2);
    for (let layer = 0; layer < 8; layer++) x = tf.relu(tf.matMul(x, w));
    return tf.mean(x);
  });
  await result.data();
  result.dispose();
}

function chooseBackend(preference: BackendPreference): Promise<BackendChoice> {
  if (backend !== null && backend.preference === preference) return backend.choice;
  const choice = initBackend({
    preference,
    wasmPaths: WASM_PATHS,
    calibrationMs: 150,
    ...(preference === 'auto' ? { calibrate: calibrationWorkload } : {}),
  }).then((chosen) =>
    preference === 'auto'
      ? {
          ...chosen,
          reason: `${chosen.reason}; timed on a small matMul chain, not this config's workload`,
        }
      : chosen,
  );
  backend = { preference, choice };
  // A failed choice is not cached: the next start tries again.
  choice.catch(() => {
    if (backend?.choice === choice) backend = null;
  });
  return choice;
}

// ---------------------------------------------------------------------------------------------
// The run: pull events while open, wait on the gate while paused.

interface Run {
  readonly id: number;
  paused: boolean;
  /** Pause again after the next report (the `step` message). */
  stepping: boolean;
  stopped: boolean;
  /** Opens the gate the loop waits on while paused. */
  wake: (() => void) | null;
  /** Resolves when the loop has ended and the generator is closed. */
  finished: Promise<void>;
}

let current: Run | null = null;

/**
 * The oracle's run costs seconds and depends only on the world (env, physics, start states,
 * episode length): kept across runs so a restart or a new seed does not pay for it again.
 */
type OracleCache = NonNullable<ExperimentHooks['oracleCache']>;
const oracleCache: OracleCache = new Map();
const ORACLE_CACHE_LIMIT = 8;

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

function setStatus(run: Run, status: RunStatus): void {
  post({ type: 'status', runId: run.id, status });
}

function messageOf(caught: unknown): string {
  if (caught instanceof Error) return caught.message || caught.name;
  return String(caught);
}

async function runLoop(run: Run, config: ExperimentConfig): Promise<void> {
  let stage: ErrorStage = 'backend';
  let events: AsyncGenerator<ExperimentEvent, void, undefined> | null = null;
  try {
    const choice = await chooseBackend(config.backend);
    if (run.stopped) return;
    post({ type: 'backend', runId: run.id, choice });
    stage = 'setup';
    if (oracleCache.size >= ORACLE_CACHE_LIMIT) oracleCache.clear();
    events = runExperiment(config, { oracleCache });
    setStatus(run, run.paused ? 'paused' : 'running');
    for (;;) {
      await yieldToMessages();
      while (run.paused && !run.stopped) {
        await new Promise<void>((resolve) => {
          run.wake = resolve;
        });
        run.wake = null;
      }
      if (run.stopped) break;
      const next = await events.next();
      if (next.done === true) {
        setStatus(run, 'done');
        return;
      }
      const event = next.value;
      if (event.kind === 'phase') {
        stage = event.phase satisfies Phase;
        post({
          type: 'phase',
          runId: run.id,
          iteration: event.iteration,
          phase: event.phase,
          progress: event.progress,
        });
      } else {
        post({ type: 'report', runId: run.id, report: event.report });
        if (run.stepping && !run.stopped) {
          run.stepping = false;
          run.paused = true;
          setStatus(run, 'paused');
        }
      }
    }
    setStatus(run, 'stopped');
  } catch (caught) {
    post({ type: 'error', runId: run.id, message: messageOf(caught), phase: stage });
    setStatus(run, 'failed');
  } finally {
    // Frees the run's tensors if it ended early; a no-op for a finished or failed generator.
    if (events !== null) {
      try {
        await events.return(undefined);
      } catch (caught) {
        post({
          type: 'error',
          runId: run.id,
          message: `while freeing the run: ${messageOf(caught)}`,
          phase: stage,
        });
      }
    }
  }
}

async function start(runId: number, config: ExperimentConfig, mode: RunMode): Promise<void> {
  const previous = current;
  if (previous !== null) {
    stop(previous);
    await previous.finished;
  }
  const run: Run = {
    id: runId,
    paused: false,
    stepping: mode === 'step',
    stopped: false,
    wake: null,
    finished: Promise.resolve(),
  };
  current = run;
  setStatus(run, 'starting');
  run.finished = runLoop(run, config);
  await run.finished;
}

function stop(run: Run): void {
  run.stopped = true;
  run.wake?.();
}

function resume(run: Run, stepping: boolean): void {
  run.stepping = stepping;
  if (run.paused) {
    run.paused = false;
    setStatus(run, 'running');
    run.wake?.();
  }
}

scope.addEventListener('message', ({ data }: MessageEvent<ToWorker>) => {
  const run = current;
  switch (data.type) {
    case 'start':
      void start(data.runId, data.config, data.mode);
      return;
    case 'pause':
      if (run !== null && !run.paused && !run.stopped) {
        run.paused = true;
        run.stepping = false;
        setStatus(run, 'paused');
      }
      return;
    case 'resume':
      if (run !== null) resume(run, false);
      return;
    case 'step':
      if (run !== null) resume(run, true);
      return;
    case 'stop':
      if (run !== null) stop(run);
      return;
  }
});

// Whatever escapes the loop still reaches the app, never a silent death.
scope.addEventListener('error', (event) => {
  post({
    type: 'error',
    runId: current?.id ?? -1,
    message: event.message || 'unknown worker error',
    phase: 'setup',
  });
});
scope.addEventListener('unhandledrejection', (event) => {
  event.preventDefault();
  post({
    type: 'error',
    runId: current?.id ?? -1,
    message: messageOf(event.reason),
    phase: 'setup',
  });
});
